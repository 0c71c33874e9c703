#!/usr/bin/env node
// Entry point of the published package: runs the compiled CLI (npm run build).
import '../dist/cli/main.js';
