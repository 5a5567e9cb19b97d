// Exit statuses of load-check.js, which mutant-run.ts reads to say what refused a mutant.
export const LOAD_CHECK_EXIT = { kernel: 1, loader: 3 } as const;
