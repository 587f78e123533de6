// Conflict-free replicated data types and the hybrid logical clock.
export {};
