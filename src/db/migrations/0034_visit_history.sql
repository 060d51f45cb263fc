-- Visit history (issue 15): every visit a person may open, newest first, 50 to a page. For those who
-- see everyone (administrators, health and safety) the page is the newest visits of all: this index
-- reads them in order instead of sorting the whole table. A single worker's history already has
-- visits_worker_start (worker_id, starts_at).
CREATE INDEX visits_starts_at ON visits (starts_at DESC, id DESC);
