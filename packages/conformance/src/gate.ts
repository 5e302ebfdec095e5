/** A promise a test opens by hand: handlers await it to stay in flight until the test says so. */
export interface Gate {
  readonly promise: Promise<void>;
  readonly isOpen: boolean;
  open(): void;
}

export function createGate(): Gate {
  let release: () => void = () => {};
  let isOpen = false;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return {
    promise,
    get isOpen() {
      return isOpen;
    },
    open() {
      isOpen = true;
      release();
    },
  };
}
