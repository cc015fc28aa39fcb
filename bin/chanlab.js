#!/usr/bin/env node
// The chanlab command line: a thin launcher for the compiled CLI in dist/src/ (built by `npm ci` via `prepare`).
// Exit statuses and error output come from src/cli/launch.ts, shared with `npm run quick` / `npm run repro`.
import { launch } from '../dist/src/cli/launch.js';

launch(process.argv.slice(2));
