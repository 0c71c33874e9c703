// A progress indicator for the minutes a person needs to approve a sign-in. On a terminal: a
// spinner with the time left, redrawn in place. Otherwise (CI logs, tests): a line now and then,
// so a log shows the command is alive without filling up.

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const PLAIN_EVERY_MS = 30_000;

export interface Progress {
  stop(final?: string): void;
}

function left(deadline: number): string {
  const s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
}

export function waiting(message: string, deadline: number, out: NodeJS.WriteStream = process.stderr): Progress {
  if (out.isTTY) {
    let i = 0;
    const draw = () => out.write(`\r${FRAMES[i++ % FRAMES.length]} ${message} (${left(deadline)})\u001b[K`);
    draw();
    const timer = setInterval(draw, 100);
    return {
      stop(final) {
        clearInterval(timer);
        out.write(`\r\u001b[K${final ? `${final}\n` : ''}`);
      },
    };
  }
  out.write(`${message}…\n`);
  const timer = setInterval(() => out.write(`  still waiting (${left(deadline)})\n`), PLAIN_EVERY_MS);
  timer.unref();
  return {
    stop(final) {
      clearInterval(timer);
      if (final) out.write(`${final}\n`);
    },
  };
}
