// Session page: keeps the "time left" line current and, if the worker allowed it, adds the
// device location to "I've arrived". Without JavaScript the page still works.
const box = document.querySelector('[data-due]');
if (box) {
  const due = new Date(box.getAttribute('data-due'));
  const left = box.querySelector('.harbour-countdown__left');
  const tick = () => {
    const ms = due.getTime() - Date.now();
    const mins = Math.round(Math.abs(ms) / 60000);
    const text = mins >= 60 ? `${Math.floor(mins / 60)} h ${mins % 60} min` : `${mins} min`;
    left.textContent = ms >= 0 ? `${text} left` : `${text} overdue`;
  };
  tick();
  setInterval(tick, 15000);
}
const arrive = document.querySelector('.harbour-arrive-form');
if (arrive && navigator.permissions && navigator.geolocation) {
  navigator.permissions.query({ name: 'geolocation' }).then((p) => {
    if (p.state !== 'granted') return;
    navigator.geolocation.getCurrentPosition((pos) => {
      arrive.querySelector('[name=lat]').value = pos.coords.latitude.toFixed(5);
      arrive.querySelector('[name=lng]').value = pos.coords.longitude.toFixed(5);
    }, () => {}, { maximumAge: 60000, timeout: 5000 });
  }).catch(() => {});
}
