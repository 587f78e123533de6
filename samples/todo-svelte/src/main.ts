import { mount } from 'svelte';
import App from './App.svelte';
import { enableOffline } from '../../shared/offline';

mount(App, { target: document.getElementById('app') as HTMLElement });
enableOffline().catch((error: unknown) => console.warn('offline support unavailable:', error));
