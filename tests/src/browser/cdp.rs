//! Chromium headless driven over the DevTools protocol, for tests that act
//! on a page as a user would ([`Page`]): open a URL at a phone's viewport,
//! click an element, type into it, read what it shows, screenshot it, and
//! collect every console message, uncaught exception and error the browser
//! logged (CSP violations and failed loads included).
//!
//! Chromium starts with `--remote-debugging-port=0` and writes the port it
//! chose to `DevToolsActivePort` in its profile; the client speaks the
//! protocol's JSON over one WebSocket (tungstenite), attached to the page's
//! target in flat session mode. Clicks and typing are input events
//! (`Input.dispatchMouseEvent`, `Input.insertText`) at the element's place
//! on screen (found with the `DOM` domain, scrolled into view first); the
//! page's own script is never called to act. Reading (`text`) evaluates an
//! expression without side effects.
//!
//! To add an action, write a method over [`Page::call`] with the protocol's
//! method name and parameters (chromedevtools.github.io/devtools-protocol).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use super::{BrowserError, chromium, running_as_root};

/// The longest a single step (a call, a page load, Chromium's start) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// One browser tab under test.
pub struct Page {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    events: Vec<Value>,
    stderr: PathBuf,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("session", &self.session)
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

fn err(message: impl Into<String>) -> BrowserError {
    message.into().into()
}

impl Page {
    /// Starts Chromium headless with a fresh profile in `scratch` and a
    /// phone's viewport of `width`×`height` CSS pixels (mobile emulation:
    /// the page's viewport meta applies, touch-sized layout).
    pub fn launch(scratch: &Path, (width, height): (u32, u32)) -> Result<Page, BrowserError> {
        let profile = scratch.join("chromium-profile");
        std::fs::create_dir_all(&profile)?;
        let stderr = scratch.join("chromium-stderr.log");
        let mut command = Command::new(chromium()?);
        command.args([
            "--headless",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--remote-debugging-port=0",
        ]);
        if running_as_root() {
            command.arg("--no-sandbox");
        }
        let child = command
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr)?)
            .spawn()?;
        let mut page = Page::connect(child, &profile, &stderr)?;
        for domain in ["Page", "Runtime", "Log", "DOM"] {
            page.call(&format!("{domain}.enable"), json!({}))?;
        }
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true }),
        )?;
        Ok(page)
    }

    /// Waits for the DevTools port, connects, and attaches to the tab.
    fn connect(mut child: Child, profile: &Path, stderr: &Path) -> Result<Page, BrowserError> {
        let started = Instant::now();
        let port_file = profile.join("DevToolsActivePort");
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break (port.trim().to_string(), path.trim().to_string());
                }
            }
            if let Some(status) = child.try_wait()? {
                let log = std::fs::read_to_string(stderr).unwrap_or_default();
                return Err(err(format!("chromium exited ({status}):\n{log}")));
            }
            if started.elapsed() > STEP_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(err("chromium did not open its DevTools port"));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let stream = TcpStream::connect(format!("127.0.0.1:{port}"))?;
        stream.set_read_timeout(Some(STEP_TIMEOUT))?;
        let (socket, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream)
            .map_err(|e| err(format!("DevTools handshake: {e}")))?;
        let mut page = Page {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            stderr: stderr.to_path_buf(),
        };
        let targets = page.call("Target.getTargets", json!({}))?;
        let target = targets["targetInfos"]
            .as_array()
            .and_then(|all| all.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["targetId"].as_str())
            .ok_or_else(|| err("chromium has no page target"))?
            .to_string();
        let attached = page.call(
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        )?;
        page.session = attached["sessionId"]
            .as_str()
            .ok_or_else(|| err("no session id"))?
            .to_string();
        Ok(page)
    }

    /// Sends a protocol command (to the page's session once attached) and
    /// returns its result; events that arrive meanwhile are kept.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, BrowserError> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .map_err(|e| err(format!("{method}: {e}")))?;
        let started = Instant::now();
        loop {
            let value = self.next_message()?;
            if value["id"] == json!(id) {
                if let Some(error) = value.get("error") {
                    return Err(err(format!("{method}: {error}")));
                }
                return Ok(value["result"].clone());
            }
            if started.elapsed() > STEP_TIMEOUT {
                return Err(err(format!("{method}: no answer")));
            }
        }
    }

    /// Reads one message; an event is kept in `events` as well.
    fn next_message(&mut self) -> Result<Value, BrowserError> {
        loop {
            let message = self
                .socket
                .read()
                .map_err(|e| err(format!("DevTools socket: {e}")))?;
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str())?;
            if value.get("method").is_some() {
                self.events.push(value.clone());
            }
            return Ok(value);
        }
    }

    fn loads(&self) -> usize {
        self.events
            .iter()
            .filter(|e| e["method"] == "Page.loadEventFired")
            .count()
    }

    /// Waits until the page has fired its load event more than `seen` times.
    fn wait_for_load(&mut self, seen: usize) -> Result<(), BrowserError> {
        let started = Instant::now();
        while self.loads() <= seen {
            if started.elapsed() > STEP_TIMEOUT {
                return Err(err("the page did not load"));
            }
            self.next_message()?;
        }
        Ok(())
    }

    /// Opens `url` and waits for its load event.
    pub fn goto(&mut self, url: &str) -> Result<(), BrowserError> {
        let seen = self.loads();
        self.call("Page.navigate", json!({ "url": url }))?;
        self.wait_for_load(seen)
    }

    /// The centre of the element `selector` names, scrolled into view.
    fn centre(&mut self, selector: &str) -> Result<(f64, f64), BrowserError> {
        let root = self.call("DOM.getDocument", json!({ "depth": 0 }))?;
        let node = self.call(
            "DOM.querySelector",
            json!({ "nodeId": root["root"]["nodeId"], "selector": selector }),
        )?;
        let node_id = node["nodeId"].as_i64().unwrap_or(0);
        if node_id == 0 {
            return Err(err(format!("no element {selector}")));
        }
        self.call("DOM.scrollIntoViewIfNeeded", json!({ "nodeId": node_id }))?;
        let quads = self.call("DOM.getContentQuads", json!({ "nodeId": node_id }))?;
        let quad: Vec<f64> = quads["quads"][0]
            .as_array()
            .map(|q| q.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        if quad.len() != 8 {
            return Err(err(format!("{selector} is not visible")));
        }
        let x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4.0;
        let y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4.0;
        Ok((x, y))
    }

    /// Clicks the element `selector` names `count` times in a row (3
    /// selects an input's text).
    pub fn click_times(&mut self, selector: &str, count: u32) -> Result<(), BrowserError> {
        let (x, y) = self.centre(selector)?;
        for click in 1..=count {
            for kind in ["mousePressed", "mouseReleased"] {
                self.call(
                    "Input.dispatchMouseEvent",
                    json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": click }),
                )?;
            }
        }
        Ok(())
    }

    /// Clicks the element `selector` names.
    pub fn click(&mut self, selector: &str) -> Result<(), BrowserError> {
        self.click_times(selector, 1)
    }

    /// Clicks the element and waits for the page it leads to to load (a
    /// form's submit button).
    pub fn click_and_wait(&mut self, selector: &str) -> Result<(), BrowserError> {
        let seen = self.loads();
        self.click(selector)?;
        self.wait_for_load(seen)
    }

    /// Clicks into the input `selector` names and types `text` (as an
    /// input method commits it, so Chinese works).
    pub fn type_into(&mut self, selector: &str, text: &str) -> Result<(), BrowserError> {
        self.click(selector)?;
        self.call("Input.insertText", json!({ "text": text }))?;
        Ok(())
    }

    /// Selects everything in the input `selector` names (a triple click)
    /// and types `text` over it.
    pub fn retype(&mut self, selector: &str, text: &str) -> Result<(), BrowserError> {
        self.click_times(selector, 3)?;
        self.call("Input.insertText", json!({ "text": text }))?;
        Ok(())
    }

    /// The text of the element `selector` names, or `None` if there is none.
    pub fn text(&mut self, selector: &str) -> Result<Option<String>, BrowserError> {
        let expression = format!(
            "(() => {{ const e = document.querySelector({}); return e ? e.textContent : null; }})()",
            serde_json::to_string(selector)?
        );
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        )?;
        Ok(result["result"]["value"].as_str().map(str::to_string))
    }

    /// Writes a PNG of the viewport to `png`.
    pub fn screenshot(&mut self, png: &Path) -> Result<(), BrowserError> {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }))?;
        let data = shot["data"]
            .as_str()
            .ok_or_else(|| err("no screenshot data"))?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(data)?;
        std::fs::write(png, bytes)?;
        Ok(())
    }

    /// Every console message, uncaught exception and error-level browser
    /// log entry so far, one line each.
    pub fn console(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| {
                let params = &e["params"];
                match e["method"].as_str()? {
                    "Runtime.consoleAPICalled" => Some(format!(
                        "console.{}: {}",
                        params["type"].as_str().unwrap_or("?"),
                        params["args"]
                    )),
                    "Runtime.exceptionThrown" => {
                        Some(format!("exception: {}", params["exceptionDetails"]))
                    }
                    "Log.entryAdded" if params["entry"]["level"] == "error" => Some(format!(
                        "log error: {}",
                        params["entry"]["text"].as_str().unwrap_or("?")
                    )),
                    _ => None,
                }
            })
            .collect()
    }

    /// Chromium's stderr so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.socket.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
