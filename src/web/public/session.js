// Session countdowns (the session page, and the running session on the worker's home): keep the
// "time left" line current and, at the deadline, turn to the overdue state without a reload and
// say so once through the box's status region. If the worker allowed it, add the device location
// to "I've arrived". Without JavaScript the page still works (and shows the state on each load).
const clock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
for (const box of document.querySelectorAll('[data-due]')) {
  const due = new Date(box.getAttribute('data-due'));
  const left = box.querySelector('.harbour-countdown__left');
  let timer = null;
  const tick = () => {
    const ms = due.getTime() - Date.now();
    const mins = Math.round(Math.abs(ms) / 60000);
    const text = mins >= 60 ? `${Math.floor(mins / 60)} h ${mins % 60} min` : `${mins} min`;
    if (left) left.textContent = ms >= 0 ? `${text} left` : `${text} overdue`;
    if (ms < 0 && box.getAttribute('data-state') === 'in_progress') {
      box.setAttribute('data-state', 'overdue');
      box.classList.add('harbour-countdown--overdue');
      const line = box.querySelector('.harbour-countdown__due');
      if (line) {
        const strong = document.createElement('strong');
        strong.textContent = `Overdue since ${clock.format(due)}`;
        line.replaceChildren(strong);
      }
      const now = box.querySelector('.harbour-countdown__now');
      if (now) now.textContent = `You are overdue. Tap "Visit over, I'm safe" or extend now.`;
    }
    // Every 15 s, and on the second the deadline passes.
    clearTimeout(timer);
    timer = setTimeout(tick, ms > 0 ? Math.min(15000, ms + 50) : 15000);
  };
  tick();
}
const arrive = document.querySelector('.harbour-arrive-form');
if (arrive && navigator.permissions && navigator.geolocation) {
  navigator.permissions
    .query({ name: 'geolocation' })
    .then((p) => {
      if (p.state !== 'granted') return;
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          arrive.querySelector('[name=lat]').value = pos.coords.latitude.toFixed(5);
          arrive.querySelector('[name=lng]').value = pos.coords.longitude.toFixed(5);
        },
        () => {},
        { maximumAge: 60000, timeout: 5000 },
      );
    })
    .catch(() => {});
}
