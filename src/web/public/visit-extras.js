// Session page, for the worker: adds the device location (only if the worker already allowed it)
// to "Visit over" and to the "Request purple file" link, and sends that request without leaving
// or changing the page. Nothing here shows, plays or vibrates anything. Without JavaScript the
// forms post as usual and come back to an ordinary page. Without signal, /public/offline.js keeps
// the request on the phone and sends it when the signal returns.
const forms = [...document.querySelectorAll('.harbour-end-form, .harbour-file-request')];
if (forms.length && navigator.permissions && navigator.geolocation) {
  navigator.permissions
    .query({ name: 'geolocation' })
    .then((p) => {
      if (p.state !== 'granted') return;
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          for (const f of forms) {
            const lat = f.querySelector('[name=lat]'),
              lng = f.querySelector('[name=lng]');
            if (lat && lng) {
              lat.value = pos.coords.latitude.toFixed(5);
              lng.value = pos.coords.longitude.toFixed(5);
            }
          }
        },
        () => {},
        { maximumAge: 60000, timeout: 5000 },
      );
    })
    .catch(() => {});
}
const request = document.querySelector('.harbour-file-request');
if (request && window.fetch) {
  request.addEventListener('submit', (e) => {
    if (!navigator.onLine || !window.harbourOffline) return; // offline.js queues it.
    e.preventDefault();
    // One key per tap, shared with offline.js: however often it is sent, one alarm.
    const { keyOf, enqueue, flushSoon } = window.harbourOffline;
    const tapped = keyOf(request);
    const body = new URLSearchParams(new FormData(request));
    request.querySelector('input[name="idempotency_key"]').value = '';
    // The one cue: the control's own words, as a paperwork request would read once made. Nothing
    // else moves, sounds or vibrates; someone holding the phone sees a file asked for.
    const button = request.querySelector('button');
    if (button)
      button.textContent = `Purple file requested ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
    // Weak signal: rather than show an error page, the tap goes on the phone's queue (offline.js),
    // which keeps trying with the same key until Harbour has it: however often sent, one alarm.
    // Only Harbour's receipt (this tap's own key, given once the alarm is committed) lets it go.
    window.harbourOffline.send(request.action, body.toString(), tapped).then((result) => {
      if (result.outcome === 'done' || result.outcome === 'refused') return;
      enqueue(request, body.toString(), tapped);
      flushSoon();
    });
  });
}
