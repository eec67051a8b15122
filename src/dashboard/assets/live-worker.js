// A SharedWorker holding the browser's one EventSource to /events and fanning its events out
// to every dashboard tab (browsers allow only 6 connections per host; each tab used one).
// The browser ends the worker, and with it the stream, when the last tab has gone.
var EVENTS = ['ready', 'request', 'conversation', 'analysis', 'logged-out', 'shutdown']
var ports = []
var source = null
var state = null // the last 'ready' or 'error', for tabs that join later

function broadcast(msg) {
  ports.forEach(function (port) {
    port.postMessage(msg)
  })
}

function open() {
  source = new EventSource('/events')
  EVENTS.forEach(function (type) {
    source.addEventListener(type, function (e) {
      var msg = { type: type, data: e.data }
      if (type === 'ready') state = msg
      if (type === 'logged-out') {
        // The next tab to connect (after a new login) opens a fresh stream.
        source.close()
        source = null
        state = null
      }
      broadcast(msg)
    })
  })
  source.onerror = function () {
    state = { type: 'error', data: '' }
    broadcast(state)
  }
}

function add(port) {
  if (ports.indexOf(port) === -1) ports.push(port)
  if (!source) open()
  else if (state) port.postMessage(state)
}

self.onconnect = function (e) {
  var port = e.ports[0]
  // A tab says 'bye' when it is hidden for good (or into the back/forward cache) and 'hello'
  // when it comes back: ports have no close event.
  port.onmessage = function (m) {
    if (m.data === 'bye')
      ports = ports.filter(function (p) {
        return p !== port
      })
    if (m.data === 'hello') add(port)
  }
  port.start()
  // Tells the tab this worker is alive; a tab that never hears it (a connection handed to a
  // worker the browser was ending) opens its own stream instead.
  port.postMessage({ type: 'attached', data: '' })
  add(port)
}
