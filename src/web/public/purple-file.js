// Purple File call page: counts down to the call-back and says "Call back now" when it is due.
// The server also sends the responder a message when the time runs out (durable timer).
const box = document.querySelector('[data-callback-due]');
if (box) {
  const due = new Date(box.getAttribute('data-callback-due'));
  const left = box.querySelector('.harbour-callback__left');
  const now = box.querySelector('.harbour-callback__now');
  let announced = false;
  const tick = () => {
    const ms = due.getTime() - Date.now();
    if (ms <= 0) {
      left.textContent = 'Time is up';
      if (!announced) {
        announced = true;
        box.classList.add('harbour-callback--due');
        now.textContent = 'Call back now. If they do not answer, dial 999.';
      }
      return;
    }
    const s = Math.ceil(ms / 1000);
    left.textContent = `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s left`;
  };
  tick();
  setInterval(tick, 1000);
}
