// rxsync/operators entry: one custom RxJS operator per file.
export {};
