// Live board: replaces the table when the server sends a new version (Server-Sent Events).
const board = document.querySelector('[data-board-stream]');
if (board && 'EventSource' in window) {
  const status = document.querySelector('[data-board-status]');
  const londonTime = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  // Replacing the table would drop keyboard focus to the top of the page on every update: note
  // what had focus (a link, by its address, or the scrolling region) and focus it again after.
  const focusedKey = () => {
    const el = document.activeElement;
    if (!el || !board.contains(el)) return null;
    const href = el.getAttribute('href');
    if (href) return `a[href="${CSS.escape(href)}"]`;
    return el.matches('[role="region"]') ? '[role="region"]' : null;
  };
  const source = new EventSource(board.getAttribute('data-board-stream'));
  source.addEventListener('board', (event) => {
    const data = JSON.parse(event.data);
    const key = focusedKey();
    board.innerHTML = data.html;
    if (key) (board.querySelector(key) ?? board.querySelector('[role="region"]'))?.focus({ preventScroll: true });
    if (status) status.textContent = `Updated ${londonTime.format(new Date())}.`;
  });
  source.addEventListener('error', () => {
    if (status) status.textContent = 'Live updates paused: reconnecting.';
  });
}
