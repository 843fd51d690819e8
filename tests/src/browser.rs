//! Chromium headless for tests: open a local HTML page, take a screenshot
//! and collect the console messages the page produced ([`open_headless`]);
//! or drive a page as a user over the DevTools protocol, at a phone's
//! viewport, with every console message kept ([`cdp::Page`]).
//!
//! Console messages are read from Chromium's own log on stderr
//! (`--enable-logging=stderr --v=0`), where each one is a line with
//! `:CONSOLE` in it: `console.log`, `warn` and `error` alike (the log does
//! not keep their level apart), and uncaught exceptions ("Uncaught
//! Error: …"). A page without script should produce none. Failed loads of
//! resources are not logged there: check a page's markup for external
//! references instead.
//!
//! Chromium is `GRIDBOOK_CHROMIUM` when set, else `chromium` on PATH;
//! `scripts/toolchain-chromium` installs it. To pass Chromium more
//! switches, add them in [`open_headless`].

pub mod cdp;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The error type of the browser helpers.
pub type BrowserError = Box<dyn std::error::Error + Send + Sync>;

/// The longest a page may take to open and screenshot.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Chromium's binary: `GRIDBOOK_CHROMIUM`, else `chromium` on PATH; an
/// error saying how to install it when there is none.
pub fn chromium() -> Result<PathBuf, BrowserError> {
    if let Some(path) = std::env::var_os("GRIDBOOK_CHROMIUM").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(format!(
                "GRIDBOOK_CHROMIUM names no file ({}): unset it and run scripts/toolchain-chromium",
                path.display()
            )
            .into());
        }
        return Ok(path);
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("chromium"))
                .find(|p| p.is_file())
        })
        .ok_or_else(|| {
            "Chromium is missing (no chromium on PATH): run scripts/toolchain-chromium \
             (as root it installs Debian's chromium), or set GRIDBOOK_CHROMIUM"
                .into()
        })
}

/// Whether this process runs as root (Chromium's sandbox refuses root).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// What opening a page found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRun {
    /// Chromium's `CONSOLE` log lines: one per console message or uncaught exception.
    pub console: Vec<String>,
    /// Chromium's whole stderr, for failure messages.
    pub log: String,
}

/// Opens `page` in Chromium headless in a `width`×`height` window, with a
/// fresh profile in `scratch`, writes a screenshot to `png` and returns
/// the console messages. Fails if Chromium is missing, fails or takes
/// longer than a minute.
pub fn open_headless(
    page: &Path,
    png: &Path,
    (width, height): (u32, u32),
    scratch: &Path,
) -> Result<PageRun, BrowserError> {
    let mut command = Command::new(chromium()?);
    command.args([
        "--headless",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    if running_as_root() {
        command.arg("--no-sandbox");
    }
    let stderr_path = scratch.join("chromium-stderr.log");
    let mut child = command
        .arg(format!("--window-size={width},{height}"))
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("chromium-profile").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.canonicalize()?.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path)?)
        .spawn()?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            child.kill()?;
            child.wait()?;
            return Err(format!("chromium did not finish within {TIMEOUT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(&stderr_path)?;
    if !status.success() {
        return Err(format!("chromium failed ({status}):\n{log}").into());
    }
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    Ok(PageRun { console, log })
}
