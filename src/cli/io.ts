// Where commands write. main() defaults to the process's streams; tests pass their own to capture.

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const line = (text: string): string => (text.endsWith("\n") ? text : text + "\n");

export const processIo: CliIo = {
  out: (t) => process.stdout.write(line(t)),
  err: (t) => process.stderr.write(line(t)),
};
