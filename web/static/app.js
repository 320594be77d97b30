// MagickBox web interface: live updates (server-sent events), the live processing log, and
// confirmations. Loaded as a file (the CSP allows no inline script).
(() => {
  'use strict'

  // Ask before destructive buttons (forms with data-confirm).
  document.addEventListener('submit', (event) => {
    const form = event.target
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault()
  })

  // Refresh the parts of the page marked data-live when any job changes.
  const live = () => Array.from(document.querySelectorAll('[data-live^="/fragments/"]'))
  if (live().length > 0 && 'EventSource' in window) {
    let pending = false
    const refresh = async () => {
      if (pending) return
      pending = true
      try {
        for (const element of live()) {
          const response = await fetch(element.dataset.live, { headers: { accept: 'text/html' } })
          if (!response.ok) continue
          const template = document.createElement('template')
          template.innerHTML = await response.text()
          const fresh = template.content.firstElementChild
          if (fresh) element.replaceWith(fresh)
        }
      } finally {
        pending = false
      }
    }
    const events = new EventSource('/events')
    events.addEventListener('jobs', refresh)
    setInterval(refresh, 15000)
  }

  // Follow a running job's processing log.
  const log = document.getElementById('log')
  if (log && log.dataset.live === '1' && 'EventSource' in window) {
    const source = new EventSource(`/jobs/${encodeURIComponent(log.dataset.job)}/log/events?offset=${encodeURIComponent(log.dataset.offset || '0')}`)
    source.addEventListener('log', (event) => {
      const { text } = JSON.parse(event.data)
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8
      log.append(document.createTextNode(text))
      if (atBottom) log.scrollTop = log.scrollHeight
    })
    source.addEventListener('end', () => {
      source.close()
      window.setTimeout(() => window.location.reload(), 800)
    })
    log.scrollTop = log.scrollHeight
  }
})()
