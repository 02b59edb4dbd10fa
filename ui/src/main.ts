// Why: the entry point — picks the backend (Tauri IPC inside the app, a simulated room in a plain
// browser) and the view (`?view=chat`: the chat's own window; otherwise the console), settles the
// first language (the OS locale, asked with a short deadline so first paint does not wait on it,
// unless the anchor chose one), creates the room state and mounts the view.
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import ChatWindow from './components/ChatWindow.svelte';
import { getBackend } from './lib/backend';
import { askWithin, storedLanguage } from './lib/first-language';
import { locale } from './lib/locale.svelte';
import { Room } from './lib/room.svelte';
import { browserStorage } from './lib/storage';
import { theme } from './lib/theme.svelte';

/** How long first paint may wait for the OS locale. */
const SYSTEM_LOCALE_WAIT_MS = 300;

async function start(): Promise<void> {
  const target = document.getElementById('app');
  if (!target) throw new Error('index.html has no #app element');
  theme.applyToDocument();
  locale.applyToDocument();

  const backend = getBackend();
  // No stored choice (or no storage): the OS locale decides.
  const stored = storedLanguage(browserStorage());
  if (stored === null) locale.useSystemLocale(await askWithin(() => backend.systemLocale(), SYSTEM_LOCALE_WAIT_MS));

  const room = new Room({ backend });
  const view = new URLSearchParams(location.search).get('view') === 'chat' ? ChatWindow : App;
  mount(view, { target, props: { room } });
}

void start();
