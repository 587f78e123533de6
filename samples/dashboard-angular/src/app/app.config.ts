import { provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { createClient, createOutbox, liveDocuments } from 'rxsync';
import { provideRxSync } from 'rxsync/angular';
import { localforageStorage } from 'rxsync/storage';

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    // One client for the app, made on first use. Its outbox (IndexedDB, shared by the tabs: one
    // replays at a time, a closed tab's edits are sent by another) holds live edits and API
    // mutations alike until the server has them.
    provideRxSync(() =>
      createClient({ outbox: createOutbox({ storage: localforageStorage({ name: 'rxsync-dashboard' }) }), live: liveDocuments }),
    ),
  ],
};
