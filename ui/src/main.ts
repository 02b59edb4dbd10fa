// Why: the entry point — picks the backend (Tauri IPC inside the app, a simulated room in a plain
// browser), creates the room state and mounts the window.
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { getBackend } from './lib/backend';
import { locale } from './lib/locale.svelte';
import { Room } from './lib/room.svelte';
import { theme } from './lib/theme.svelte';

locale.applyToDocument();
theme.applyToDocument();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const room = new Room({ backend: getBackend() });
mount(App, { target, props: { room } });
