#!/usr/bin/env node
// The `#main` import resolves through package.json "imports": the built dist/main.js by default,
// src/main.ts under `node --conditions=@eddy/source --import tsx` (how the tests run this very file).
await import('#main');
