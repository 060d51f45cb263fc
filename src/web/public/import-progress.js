// An import's progress page (src/features/imports/progress.njk): every 2 seconds, fetch the page
// again and put the new count in the status region (announced politely, focus untouched). When the
// import has finished, load the page once so its summary or every problem shows. Without
// JavaScript the "Check progress" link does the same by hand.
const region = document.querySelector('[data-import-progress="running"]');
const count = document.getElementById('import-count');
if (region && count) {
  const check = async () => {
    const response = await fetch(location.href, {
      credentials: 'same-origin',
      headers: { accept: 'text/html' },
      cache: 'no-store',
    });
    if (!response.ok) return true;
    const doc = new window.DOMParser().parseFromString(await response.text(), 'text/html');
    if (doc.querySelector('[data-import-progress="finished"]')) {
      location.replace(location.href);
      return false;
    }
    const fresh = doc.getElementById('import-count');
    if (fresh && fresh.textContent !== count.textContent) count.textContent = fresh.textContent;
    return true;
  };
  const loop = () =>
    check()
      .catch(() => true)
      .then((again) => {
        if (again) setTimeout(loop, 2000);
      });
  setTimeout(loop, 2000);
}
