//! End to end in a real pseudo-terminal: start the built binary, press keys, read the screen
//! through a vt100 parser as a person would see it, and check the terminal is restored on quit.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(args: &[&str], cwd: &std::path::Path) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_warden"));
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        let child = pty.slave.spawn_command(cmd).expect("spawn warden");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(30, 100, 0)));
        let feed = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        // Keep the master alive as long as the session.
        std::mem::forget(pty.master);
        Session {
            parser,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
}

#[test]
fn browse_a_saved_report_and_quit_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["demo", "--format", "json", "--output"])
        .arg(&report)
        .status()
        .unwrap();
    assert!(made.success());

    let mut s = Session::start(&["tui", report.to_str().unwrap()], dir.path());
    s.wait_for("Worst failures");
    assert!(
        s.parser.lock().unwrap().screen().alternate_screen(),
        "the UI uses the alternate screen"
    );
    s.keys("3");
    s.wait_for("Findings (* muted)");
    s.keys("/bob");
    let screen = s.wait_for("· 5 of ");
    assert!(screen.contains("iam_user_console_mfa"), "{screen}");
    s.keys("\r\r");
    s.wait_for("Rationale");
    s.keys("\x1b");
    s.wait_for("Findings (* muted)");
    s.keys("q");

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "warden did not exit on q");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(200));
    let parser = s.parser.lock().unwrap();
    assert!(
        !parser.screen().alternate_screen(),
        "the alternate screen is left on quit"
    );
    assert!(
        !parser.screen().hide_cursor(),
        "the cursor is shown again on quit"
    );
}

#[test]
fn live_scan_against_the_emulator_then_browse() {
    let endpoint = std::env::var("WARDEN_TEST_ENDPOINT")
        .expect("WARDEN_TEST_ENDPOINT is not set: run the tests with scripts/test.sh");
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start(
        &[
            "tui",
            "--scan",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            &endpoint,
        ],
        dir.path(),
    );
    // Progress first, then the report: the root checks cannot be evaluated in the emulator.
    let screen = s.wait_for("Worst failures");
    assert!(screen.contains("Errors ("), "{screen}");
    s.keys("4");
    s.wait_for("could not be evaluated");
    s.keys("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "warden did not exit on q");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Nothing was written without --output.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
