// Injected into the CLI bundle in place of `Intl.Segmenter` (package.json `bundle`: esbuild
// --define and --inject). yargs' help layout (cliui, wrap-ansi and their string-width) makes an
// Intl.Segmenter as its modules load, and the first one a process makes costs ~11 ms (ICU's break
// data): paid on every run, used only when help is shown. This one makes the real segmenter on
// first use. `globalThis.Intl` is not the defined expression, so it reaches the real one.
//
// The same script's `--alias:string-width=...` gives yargs the string-width 7.2 that cliui and
// wrap-ansi already bring, instead of its own 8.x, which builds /^\p{RGI_Emoji}$/v as it loads
// (~14 ms) to measure emoji sequences that finscope's own, ASCII, help text never has. The help
// text is byte for byte the same (compared at 60 and 100 columns).

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
