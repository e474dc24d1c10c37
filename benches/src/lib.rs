//! Shared pieces of capwasi's benchmarks: the fixture the benchmark program
//! expects, statistics, table output, command-line options and facts about
//! the machine.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Entries in the fixture's `many/` directory; `bench.c` checks the count.
pub const MANY_ENTRIES: usize = 10_000;

/// Size of the fixture's `big.dat`; `bench.c` reads scattered blocks of it.
pub const BIG_SIZE: usize = 64 << 20;

/// A benchmark fixture in a directory of its own, removed when dropped.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// Creates the fixture `bench.c` expects in a fresh directory beneath
    /// `parent`, or beneath the system's temporary directory.
    pub fn create(parent: Option<&Path>) -> io::Result<Fixture> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("capwasi-bench-");
        let dir = match parent {
            Some(parent) => builder.tempdir_in(parent)?,
            None => builder.tempdir()?,
        };
        let root = dir.path();
        write_nested(root)?;
        write_big(&root.join("big.dat"))?;
        write_many(&root.join("many"))?;
        Ok(Fixture { dir })
    }

    /// The fixture's directory on the host.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn write_nested(root: &Path) -> io::Result<()> {
    let dir = root.join("d1/d2/d3/d4");
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("file"), b"a small file at depth five\n")
}

fn write_big(path: &Path) -> io::Result<()> {
    let mut file = io::BufWriter::new(fs::File::create(path)?);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..BIG_SIZE / chunk.len() {
        for byte in chunk.iter_mut() {
            // xorshift64: deterministic, and the +1 keeps every byte non-zero
            // so no filesystem can store the file sparsely.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = (state % 255) as u8 + 1;
        }
        file.write_all(&chunk)?;
    }
    file.into_inner().map_err(|e| e.into_error())?.sync_all()
}

fn write_many(dir: &Path) -> io::Result<()> {
    fs::create_dir(dir)?;
    for i in 1..=MANY_ENTRIES {
        fs::File::create(dir.join(format!("entry-{i:05}")))?;
    }
    Ok(())
}

/// The median of `values`, or `None` if there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The geometric mean of `values`, or `None` if there are none or any is
/// not a positive number.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || !values.iter().all(|v| v.is_finite() && *v > 0.0) {
        return None;
    }
    let log_sum: f64 = values.iter().map(|v| v.ln()).sum();
    Some((log_sum / values.len() as f64).exp())
}

/// A duration in nanoseconds, shown with a unit that keeps it short.
pub fn format_ns(ns: f64) -> String {
    let (value, unit) = if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "us")
    } else {
        (ns, "ns")
    };
    // Three significant digits, whatever the unit.
    let digits = match value {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{value:.digits$} {unit}")
}

/// A ratio, such as `1.07x`.
pub fn format_ratio(ratio: f64) -> String {
    let digits = if ratio >= 100.0 { 0 } else { 2 };
    format!("{ratio:.digits$}x")
}

/// A table of text cells: the first column is left-aligned, the others
/// right-aligned, as fits a name followed by numbers.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are left empty, extra ones dropped.
    pub fn push<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut row: Vec<String> = cells.into_iter().map(Into::into).collect();
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    /// The table as aligned plain text.
    pub fn to_text(&self) -> String {
        let widths = self.widths();
        let mut out = String::new();
        text_line(&mut out, &self.headers, &widths);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        text_line(&mut out, &rule, &widths);
        for row in &self.rows {
            text_line(&mut out, row, &widths);
        }
        out
    }

    /// The table in Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        markdown_line(&mut out, self.headers.iter().map(String::as_str));
        let align = (0..self.headers.len()).map(|i| if i == 0 { ":--" } else { "--:" });
        markdown_line(&mut out, align);
        for row in &self.rows {
            markdown_line(&mut out, row.iter().map(String::as_str));
        }
        out
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        widths
    }
}

fn text_line(out: &mut String, cells: &[String], widths: &[usize]) {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let padding = " ".repeat(width - cell.chars().count());
        match i {
            0 => line.push_str(&format!("{cell}{padding}")),
            _ => line.push_str(&format!("  {padding}{cell}")),
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn markdown_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    out.push('|');
    for cell in cells {
        out.push_str(&format!(" {} |", cell.replace('|', "\\|")));
    }
    out.push('\n');
}

/// A command-line mistake; the program reports it and exits with status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Options given on the command line, checked against what a benchmark
/// accepts.
#[derive(Debug, Default)]
pub struct Options {
    flags: HashSet<String>,
    values: HashMap<String, String>,
}

impl Options {
    /// Parses `args` (without the program name). `flags` are the options
    /// that stand alone and `valued` those that take a value, as
    /// `--name VALUE` or `--name=VALUE`. The `--bench` that `cargo bench`
    /// passes to every benchmark is accepted and ignored.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        flags: &[&str],
        valued: &[&str],
    ) -> Result<Options, UsageError> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (arg.clone(), None),
            };
            let bare = name.strip_prefix("--").unwrap_or("");
            if name == "--bench" && inline.is_none() {
                continue;
            } else if flags.contains(&bare) && inline.is_none() {
                options.flags.insert(bare.to_string());
            } else if valued.contains(&bare) {
                let value = inline.or_else(|| args.next());
                let value = value.ok_or_else(|| UsageError(format!("{name} needs a value")))?;
                options.values.insert(bare.to_string(), value);
            } else if name.starts_with('-') {
                return Err(UsageError(format!("unknown option `{arg}`")));
            } else {
                return Err(UsageError(format!("unexpected argument `{arg}`")));
            }
        }
        Ok(options)
    }

    /// Whether the flag `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.contains(name)
    }

    /// The value of `--name`, if it was given.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name` as a positive count, or `default`.
    pub fn count(&self, name: &str, default: u64) -> Result<u64, UsageError> {
        match self.value(name) {
            None => Ok(default),
            Some(value) => match value.parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(UsageError(format!(
                    "--{name} needs a positive whole number, not `{value}`"
                ))),
            },
        }
    }

    /// The value of `--name` as a comma-separated subset of `known`, kept in
    /// the order of `known`; all of `known` if the option was not given.
    pub fn subset(
        &self,
        name: &str,
        known: &[&'static str],
    ) -> Result<Vec<&'static str>, UsageError> {
        let Some(value) = self.value(name) else {
            return Ok(known.to_vec());
        };
        let wanted: Vec<&str> = value.split(',').map(str::trim).collect();
        if let Some(bad) = wanted.iter().find(|w| !known.contains(w)) {
            return Err(UsageError(format!(
                "--{name}: unknown `{bad}`; choose from {}",
                known.join(",")
            )));
        }
        Ok(known
            .iter()
            .copied()
            .filter(|k| wanted.contains(k))
            .collect())
    }
}

/// Facts about the machine that a reader needs to compare results: CPU,
/// kernel, and the filesystem `dir` is on. Facts that cannot be found are
/// left out.
pub fn machine_facts(dir: &Path) -> Vec<(&'static str, String)> {
    let mut facts = Vec::new();
    if let Some(cpu) = cpu_model() {
        facts.push(("cpu", cpu));
    }
    if let Ok(n) = std::thread::available_parallelism() {
        facts.push(("logical cpus", n.to_string()));
    }
    if let Ok(kernel) = fs::read_to_string("/proc/sys/kernel/osrelease") {
        facts.push(("kernel", kernel.trim().to_string()));
    }
    if let Some(fs_type) = filesystem_type(dir) {
        facts.push(("fixture filesystem", fs_type));
    }
    facts
}

fn cpu_model() -> Option<String> {
    let info = fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim() == "model name")
        .map(|(_, value)| value.trim().to_string())
}

/// The type of the filesystem mounted deepest above `dir`, from
/// /proc/self/mountinfo.
fn filesystem_type(dir: &Path) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut best: Option<(usize, String)> = None;
    for line in info.lines() {
        let Some((mount_point, fs_type)) = parse_mountinfo_line(line) else {
            continue;
        };
        let depth = mount_point.components().count();
        if dir.starts_with(&mount_point) && best.as_ref().is_none_or(|(d, _)| depth >= *d) {
            best = Some((depth, fs_type));
        }
    }
    best.map(|(_, fs_type)| fs_type)
}

fn parse_mountinfo_line(line: &str) -> Option<(PathBuf, String)> {
    let (mount, rest) = line.split_once(" - ")?;
    let mount_point = mount.split(' ').nth(4)?.replace("\\040", " ");
    let fs_type = rest.split(' ').next()?.to_string();
    Some((PathBuf::from(mount_point), fs_type))
}

/// Why a benchmark stopped before its report.
pub enum Failure {
    /// Its command line was wrong.
    Usage(UsageError),
    /// A runtime, the fixture or the machine failed it.
    Run(String),
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Self {
        Failure::Usage(e)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Run(message)
    }
}

/// A benchmark's exit: success, 2 with one line for a usage error, or 1
/// with one line for a failed run.
pub fn exit_code(outcome: Result<(), Failure>) -> std::process::ExitCode {
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn geometric_mean_of_ratios() {
        let mean = geometric_mean(&[2.0, 8.0]).unwrap();
        assert!((mean - 4.0).abs() < 1e-12);
        assert_eq!(geometric_mean(&[1.0, 0.0]), None);
    }

    #[test]
    fn options_accept_both_value_forms_and_ignore_bench() {
        let given = args(&["--bench", "--reps", "3", "--ops=stat,clock", "--quick"]);
        let options = Options::parse(given, &["quick"], &["reps", "ops"]).unwrap();
        assert!(options.flag("quick"));
        assert_eq!(options.count("reps", 7).unwrap(), 3);
        let ops = options.subset("ops", &["clock", "stat", "fstat"]).unwrap();
        assert_eq!(ops, ["clock", "stat"]);
    }

    #[test]
    fn options_reject_unknown_and_bad_values() {
        let error = Options::parse(args(&["--fast"]), &["quick"], &[]).unwrap_err();
        assert!(error.0.contains("--fast"));
        assert!(Options::parse(args(&["--reps"]), &[], &["reps"]).is_err());
        let options = Options::parse(args(&["--reps", "0"]), &[], &["reps"]).unwrap();
        assert!(options.count("reps", 7).is_err());
        let options = Options::parse(args(&["--ops", "nope"]), &[], &["ops"]).unwrap();
        assert!(options.subset("ops", &["clock"]).is_err());
    }

    #[test]
    fn durations_keep_three_digits() {
        assert_eq!(format_ns(27.43), "27.4 ns");
        assert_eq!(format_ns(1234.0), "1.23 us");
        assert_eq!(format_ns(2_742_000_000.0), "2742 ms");
    }

    #[test]
    fn tables_align_and_render_markdown() {
        let mut table = Table::new(["op", "ns"]);
        table.push(["clock", "20.1"]);
        assert_eq!(table.to_text(), "op       ns\n-----  ----\nclock  20.1\n");
        assert_eq!(
            table.to_markdown(),
            "| op | ns |\n| :-- | --: |\n| clock | 20.1 |\n"
        );
    }

    #[test]
    fn mountinfo_lines_give_mount_point_and_type() {
        let line = "36 35 98:0 / /mnt/my\\040disk rw,noatime master:1 - ext4 /dev/root rw";
        let (mount, fs_type) = parse_mountinfo_line(line).unwrap();
        assert_eq!(mount, PathBuf::from("/mnt/my disk"));
        assert_eq!(fs_type, "ext4");
    }
}
