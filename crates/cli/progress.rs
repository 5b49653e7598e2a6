//! The ingest progress bar on stderr (hidden when stderr is not a terminal).

use chartdex_pipeline::{Event, FileOutcome, Reporter};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

pub(crate) struct Progress {
    bar: ProgressBar,
    pages: AtomicU64,
    started: Instant,
}

impl Progress {
    pub(crate) fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files  {msg}  ETA {eta}",
            )
            .expect("progress template is valid")
            .progress_chars("=> "),
        );
        Progress { bar, pages: AtomicU64::new(0), started: Instant::now() }
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Reporter for Progress {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::Started { files } => self.bar.set_length(files),
            Event::Repairing { documents } => self.bar.println(format!(
                "indexing {documents} documents left unindexed by an earlier run"
            )),
            Event::PageQueued => {}
            Event::PageDone => {
                let pages = self.pages.fetch_add(1, Ordering::Relaxed) + 1;
                let rate = pages as f64 / self.started.elapsed().as_secs_f64().max(0.001);
                self.bar.set_message(format!("{pages} pages, {rate:.1} pages/s"));
            }
            Event::FileDone { path, outcome } => {
                if let FileOutcome::Rejected { reason } = outcome {
                    self.bar.println(format!("rejected: {}: {reason}", path.display()));
                }
                self.bar.inc(1);
            }
        }
    }
}
