// rxsync/transports entry: the Transport contract and its implementations.
export {};
