// One live connection per browser, shared by every dashboard tab: a SharedWorker
// (live-worker.js) holds the EventSource where the browser has them; elsewhere the tabs elect
// a leader with a Web Lock, and the leader holds it and re-broadcasts over a
// BroadcastChannel. Each tab gets { type, data } messages: ready, request, conversation,
// logged-out, shutdown, and error (the connection dropped; it retries by itself).
;(function () {
  var NAME = 'nexus-live'
  var EVENTS = ['ready', 'request', 'conversation', 'analysis', 'logged-out', 'shutdown']

  function direct(deliver) {
    var source = new EventSource('/events')
    EVENTS.forEach(function (type) {
      source.addEventListener(type, function (e) {
        if (type === 'logged-out') source.close()
        deliver({ type: type, data: e.data })
      })
    })
    source.onerror = function () {
      deliver({ type: 'error', data: '' })
    }
  }

  // Chromium can hand a page that replaced the worker's last page (same-tab navigation) a
  // port on the worker it is ending: no message ever comes. The worker answers every
  // connection at once, so silence past ATTACH_MS means that happened.
  var ATTACH_MS = 3000

  function viaSharedWorker(deliver, fallback) {
    var worker = new SharedWorker('/assets/live-worker.js', { name: NAME })
    var attached = false
    var timer = setTimeout(function () {
      if (attached) return
      worker.port.onmessage = null
      worker.port.close()
      fallback(deliver)
    }, ATTACH_MS)
    worker.port.onmessage = function (e) {
      if (e.data && e.data.type === 'attached') {
        attached = true
        clearTimeout(timer)
        return
      }
      deliver(e.data)
    }
    worker.port.start()
    window.addEventListener('pagehide', function () {
      worker.port.postMessage('bye')
    })
    window.addEventListener('pageshow', function (e) {
      if (e.persisted) worker.port.postMessage('hello')
    })
  }

  function viaLeaderTab(deliver) {
    var channel = new BroadcastChannel(NAME)
    var leading = false
    var state = null // the leader's last 'ready' or 'error', for tabs that open later
    channel.onmessage = function (e) {
      if (e.data === 'hello') {
        if (leading && state) channel.postMessage(state)
        return
      }
      deliver(e.data)
    }
    channel.postMessage('hello')
    // Held until this tab goes away; then the next tab in line takes over the stream.
    navigator.locks.request(NAME, function () {
      leading = true
      return new Promise(function () {
        direct(function (msg) {
          if (msg.type === 'ready' || msg.type === 'error') state = msg
          deliver(msg)
          channel.postMessage(msg)
        })
      })
    })
  }

  function withoutWorker(deliver) {
    if (navigator.locks && typeof BroadcastChannel === 'function') return viaLeaderTab(deliver)
    direct(deliver)
  }

  window.nexusLive = {
    connect: function (deliver) {
      if (typeof SharedWorker === 'function') return viaSharedWorker(deliver, direct)
      withoutWorker(deliver)
    },
  }
})()
