#!/usr/bin/env bash
# Rebuilds the browser UI: src/armstrace/web/frontend -> src/armstrace/web/static
# (app.js, app.css, index.html, countries-110m.json). The built files are committed, so
# installing or serving armstrace needs no Node.js; run this after changing the frontend.
# Needs node >= 18 and npm, and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../src/armstrace/web/frontend"
npm ci --no-audit --no-fund
npm run build
