// Live updates over the browser's one shared connection (live-source.js), on pages that have
// live regions only; every element with data-live-src is re-fetched
// (debounced) when a new request or conversation change arrives, and swapped in place.
// Fragments are rendered by the server with the same escaping as full pages.
;(function () {
  var regions = []
  var timer = null
  var status = null

  var dirty = {}

  function refresh() {
    timer = null
    var domains = dirty
    dirty = {}
    regions.forEach(function (el) {
      var only = el.getAttribute('data-live-domain')
      if (only && !domains[only] && !domains['*']) return
      var src = el.getAttribute('data-live-src')
      if (!src) return
      fetch(src, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (res) {
          if (res.status === 401) throw new Error('logged out')
          return res.ok ? res.text() : null
        })
        .then(function (html) {
          if (html === null) return
          var before = ids(el)
          var doc = new DOMParser().parseFromString(
            el.tagName === 'TBODY'
              ? '<table><tbody>' + html + '</tbody></table>'
              : '<div>' + html + '</div>',
            'text/html',
          )
          var holder =
            el.tagName === 'TBODY' ? doc.querySelector('tbody') : doc.body.firstElementChild
          if (!holder) return
          el.replaceChildren.apply(el, Array.prototype.slice.call(holder.childNodes))
          markNew(el, before)
          document.dispatchEvent(new CustomEvent('nexus:updated'))
        })
        .catch(function () {
          setStatus('off')
        })
    })
  }

  function ids(el) {
    var out = {}
    el.querySelectorAll('[data-id],[data-request-id]').forEach(function (n) {
      out[n.getAttribute('data-id') || n.getAttribute('data-request-id')] = true
    })
    return out
  }

  function markNew(el, before) {
    el.querySelectorAll('[data-id],[data-request-id]').forEach(function (n) {
      var id = n.getAttribute('data-id') || n.getAttribute('data-request-id')
      if (!before[id]) n.classList.add('fresh')
    })
  }

  // Conversation links are made by the linker just after a request is stored, so a second
  // refresh a moment later picks up what the first may have been too early for.
  var followUp = null
  function schedule(domain) {
    dirty[domain || '*'] = true
    if (timer === null) timer = setTimeout(refresh, 700)
    clearTimeout(followUp)
    followUp = setTimeout(function () {
      dirty[domain || '*'] = true
      refresh()
    }, 2000)
  }

  function domainOf(data) {
    try {
      return JSON.parse(data).domain
    } catch {
      return undefined
    }
  }

  function setStatus(state) {
    if (!status) return
    status.className = 'live-dot ' + state
    status.setAttribute('data-state', state)
  }

  document.addEventListener('DOMContentLoaded', function () {
    status = document.getElementById('live-status')
    if (!status) return // not logged in
    regions = Array.prototype.slice.call(document.querySelectorAll('[data-live-src]'))
    if (regions.length === 0) return setStatus('idle') // nothing here updates
    window.nexusLive.connect(function (msg) {
      if (msg.type === 'ready') setStatus('on')
      // Work in progress (an analysis) may have finished while this page was loading, before
      // its stream was connected: such a page asks once more when the stream is ready.
      if (msg.type === 'ready' && document.querySelector('[data-live-pending]')) schedule('*')
      if (msg.type === 'request') window.__nexusLastEvent = msg.data
      if (msg.type === 'request' || msg.type === 'conversation' || msg.type === 'analysis')
        schedule(domainOf(msg.data))
      // 'shutdown': the server is stopping; the connection comes back when it is.
      if (msg.type === 'logged-out' || msg.type === 'shutdown' || msg.type === 'error') {
        setStatus('off')
      }
    })
  })
})()
