// Applies the saved theme before the page paints; the toggle flips and saves it.
;(function () {
  var saved = null
  try {
    saved = localStorage.getItem('nexus-theme')
  } catch {}
  if (saved === 'light' || saved === 'dark')
    document.documentElement.setAttribute('data-theme', saved)
  document.addEventListener('DOMContentLoaded', function () {
    var button = document.getElementById('theme-toggle')
    if (!button) return
    button.addEventListener('click', function () {
      var current =
        document.documentElement.getAttribute('data-theme') ||
        (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')
      var next = current === 'dark' ? 'light' : 'dark'
      document.documentElement.setAttribute('data-theme', next)
      try {
        localStorage.setItem('nexus-theme', next)
      } catch {}
      document.dispatchEvent(new CustomEvent('nexus:theme'))
    })
  })
})()
