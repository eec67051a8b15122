// Draws every [data-chart] element with uPlot. The spec comes from a data attribute (JSON
// the server encoded), never from script text in the page.
;(function () {
  var PALETTE = [
    '#4f7cff',
    '#f08c3a',
    '#2fb67c',
    '#d9485f',
    '#9b6bdf',
    '#1fa5b8',
    '#c7a02b',
    '#7c8796',
  ]
  var charts = []

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  }

  function format(unit, v) {
    if (v === null || v === undefined) return '–'
    if (unit === 'usd') return '$' + v.toFixed(v < 1 ? 4 : 2)
    if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + 'M'
    if (Math.abs(v) >= 1e3) return (v / 1e3).toFixed(1) + 'k'
    return String(Math.round(v * 100) / 100)
  }

  function draw(el) {
    var spec
    try {
      spec = JSON.parse(el.getAttribute('data-chart'))
    } catch {
      return
    }
    var axis = {
      stroke: css('--muted'),
      grid: { stroke: css('--grid') },
      ticks: { stroke: css('--grid') },
    }
    var bars = spec.kind === 'bars' && window.uPlot.paths && window.uPlot.paths.bars
    var series = [{}].concat(
      spec.series.map(function (s, i) {
        var color = PALETTE[i % PALETTE.length]
        return {
          label: s.label,
          stroke: color,
          fill: bars ? color + 'aa' : color + '22',
          width: bars ? 0 : 1.5,
          paths: bars
            ? window.uPlot.paths.bars({ size: [0.8 / Math.max(1, spec.series.length), 40] })
            : undefined,
          value: function (u, v) {
            return format(spec.unit, v)
          },
        }
      }),
    )
    var opts = {
      width: Math.max(280, el.clientWidth),
      height: 220,
      series: series,
      axes: [
        Object.assign({}, axis),
        Object.assign({}, axis, {
          size: spec.unit === 'usd' ? 76 : 60,
          values: function (u, vals) {
            return vals.map(function (v) {
              return format(spec.unit, v)
            })
          },
        }),
      ],
      scales: { x: { time: true } },
      legend: { live: true },
    }
    var data = [spec.x].concat(
      spec.series.map(function (s) {
        return s.values
      }),
    )
    el.replaceChildren()
    charts.push({ el: el, plot: new window.uPlot(opts, data, el) })
  }

  function drawAll() {
    charts.forEach(function (c) {
      c.plot.destroy()
    })
    charts = []
    document.querySelectorAll('[data-chart]').forEach(draw)
  }

  document.addEventListener('DOMContentLoaded', function () {
    if (!window.uPlot) return
    drawAll()
    document.addEventListener('nexus:theme', drawAll)
    var resizeTimer = null
    window.addEventListener('resize', function () {
      clearTimeout(resizeTimer)
      resizeTimer = setTimeout(drawAll, 200)
    })
  })
})()
