import adapter from '@sveltejs/adapter-node';

/** The dashboard is served by the API process under /ui (api/plugins/dashboard.ts), or on its own by `node ui/build`. */
const config = {
  kit: {
    adapter: adapter({ out: 'build', envPrefix: 'PCS_UI_' }),
    paths: { base: '/ui' },
  },
};

export default config;
