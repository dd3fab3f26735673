// Injected into the CLI bundle in place of `Intl.Segmenter` (package.json `bundle`: esbuild
// --define and --inject). yargs' help layout (cliui, wrap-ansi and their string-width) makes an
// Intl.Segmenter as its modules load, and the first one a process makes costs ~11 ms (ICU's break
// data): paid on every run, used only when help is shown. This one makes the real segmenter on
// first use. `globalThis.Intl` is not the defined expression, so it reaches the real one.

type SegmenterArgs = ConstructorParameters<typeof Intl.Segmenter>;

export class LazySegmenter {
  private real: Intl.Segmenter | undefined;
  private readonly args: SegmenterArgs;

  constructor(...args: SegmenterArgs) {
    this.args = args;
  }

  private get segmenter(): Intl.Segmenter {
    return (this.real ??= new globalThis.Intl.Segmenter(...this.args));
  }

  segment(input: string): Intl.Segments {
    return this.segmenter.segment(input);
  }

  resolvedOptions(): Intl.ResolvedSegmenterOptions {
    return this.segmenter.resolvedOptions();
  }

  static supportedLocalesOf(...args: Parameters<typeof Intl.Segmenter.supportedLocalesOf>): string[] {
    return globalThis.Intl.Segmenter.supportedLocalesOf(...args);
  }
}
