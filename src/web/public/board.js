// Live board: replaces the table when the server sends a new version (Server-Sent Events).
const board = document.querySelector('[data-board-stream]');
if (board && 'EventSource' in window) {
  const status = document.querySelector('[data-board-status]');
  const source = new EventSource(board.getAttribute('data-board-stream'));
  source.addEventListener('board', (event) => {
    const data = JSON.parse(event.data);
    board.innerHTML = data.html;
    if (status) status.textContent = `Updated ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}.`;
  });
  source.addEventListener('error', () => {
    if (status) status.textContent = 'Live updates paused: reconnecting.';
  });
}
