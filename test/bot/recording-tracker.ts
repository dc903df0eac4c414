import type { CaptureMeta, ErrorCapture } from '../../src/bot/tracker';

/** A stand-in error tracker that keeps what it was given (the real one lives in src/error-tracking/). */
export class RecordingTracker implements ErrorCapture {
  readonly captured: { error: unknown; context: CaptureMeta; code: string }[] = [];

  async capture(error: unknown, context: CaptureMeta = {}): Promise<string> {
    const code = `TEST${String(this.captured.length).padStart(4, '0')}`;
    this.captured.push({ error, context, code });
    return code;
  }
}
