// Starts the GOV.UK Frontend components (menus, error summary focus, password reveal).
import { initAll } from '/public/govuk/govuk-frontend.min.js';
initAll();
