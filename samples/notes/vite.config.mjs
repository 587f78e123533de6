import { svelte } from '@sveltejs/vite-plugin-svelte';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { sampleConfig } from '../vite.shared.mjs';

export default defineConfig(sampleConfig(dirname(fileURLToPath(import.meta.url)), '/notes/', [svelte()], { offline: true }));
