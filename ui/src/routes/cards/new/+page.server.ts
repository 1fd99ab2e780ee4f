import { saveCardAction } from '$lib/server/cards.ts';
import type { Actions, PageServerLoad } from './$types';

const STARTER = `name: my-card
description: What this prompt should do.
prompt:
  system: You are a helpful assistant. Answer briefly.
  template: "Question: {{ question }}"
models: [echo]
cases:
  - name: first case
    vars: { question: "What is 2 + 2?" }
    assert:
      - { type: contains, value: "2 + 2" }
`;

export const load = (() => ({ starter: STARTER })) satisfies PageServerLoad;

export const actions = {
  save: async ({ request, cookies }) => saveCardAction(cookies, await request.formData()),
} satisfies Actions;
