#!/usr/bin/env node
// The `pcs` executable (after `npm link` or a global install): loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
