// Why: lets svelte-check and the Vite plugin preprocess `<script lang="ts">` the same way.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    runes: true,
  },
};
