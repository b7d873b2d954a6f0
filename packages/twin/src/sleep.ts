export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));
