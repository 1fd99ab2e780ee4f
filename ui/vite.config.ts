import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // Bundled so the server build uses the cookie@0.6 SvelteKit depends on, not the hoisted cookie@2 of
  // Fastify's light-my-request, which a bare import from ui/build would find first.
  ssr: { noExternal: ['cookie'] },
});
