// Writes schema/card.schema.json from the TypeBox card schema. Run: node --import tsx scripts/gen-card-schema.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cardJsonSchemaText } from '../core/card/json-schema.ts';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'card.schema.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, cardJsonSchemaText());
console.log(`wrote ${target}`);
