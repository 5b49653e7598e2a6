//! Search latency on a large synthetic index (run by `scripts/bench-search`).
//!
//! Builds an index of PAGES pages of chart-like text — thousands of invented patients, each with
//! documents of several pages; words drawn from a clinical vocabulary and a long tail of rarer
//! terms with a Zipf distribution; names, MRNs, dates of service, types, codes and drugs in the
//! fields — with the same writer `chartdex ingest` uses, then times a fixed mix of queries through
//! the same search `chartdex search` runs.
//!
//! Usage: bench-search DIR [PAGES [QUERIES_PER_KIND]]   (defaults 1000000, 200)

// A benchmark: its output is its figures.
#![allow(clippy::print_stdout)]

use chartdex_index::{PageEntry, SearchIndex, SearchQuery};
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*), so every run builds the same index.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

const CLINICAL: &[&str] = &[
    "patient",
    "history",
    "pain",
    "chest",
    "abdominal",
    "denies",
    "fever",
    "cough",
    "shortness",
    "breath",
    "nausea",
    "vomiting",
    "blood",
    "pressure",
    "heart",
    "rate",
    "lungs",
    "clear",
    "auscultation",
    "bilaterally",
    "abdomen",
    "soft",
    "nontender",
    "tenderness",
    "edema",
    "extremities",
    "normal",
    "exam",
    "assessment",
    "plan",
    "continue",
    "follow",
    "up",
    "weeks",
    "months",
    "daily",
    "twice",
    "mg",
    "tablet",
    "oral",
    "prescribed",
    "refill",
    "labs",
    "glucose",
    "creatinine",
    "sodium",
    "potassium",
    "hemoglobin",
    "a1c",
    "cholesterol",
    "imaging",
    "x-ray",
    "ct",
    "mri",
    "ultrasound",
    "impression",
    "findings",
    "unremarkable",
    "mild",
    "moderate",
    "severe",
    "chronic",
    "acute",
    "stable",
    "improved",
    "worsening",
    "diabetes",
    "hypertension",
    "hyperlipidemia",
    "asthma",
    "copd",
    "pneumonia",
    "infection",
    "urinary",
    "tract",
    "renal",
    "failure",
    "congestive",
    "atrial",
    "fibrillation",
    "anticoagulation",
    "surgery",
    "procedure",
    "consent",
    "risks",
    "benefits",
    "alternatives",
    "discussed",
    "questions",
    "answered",
    "discharge",
    "admitted",
    "hospital",
    "emergency",
    "department",
    "referral",
    "specialist",
    "evaluation",
    "recommend",
    "therapy",
    "physical",
    "occupational",
    "diet",
    "exercise",
    "smoking",
    "cessation",
    "alcohol",
    "allergies",
    "medications",
    "reviewed",
    "vital",
    "signs",
    "temperature",
    "weight",
    "height",
    "bmi",
    "oxygen",
    "saturation",
    "room",
    "air",
    "alert",
    "oriented",
    "neurological",
    "intact",
    "skin",
    "warm",
    "dry",
    "rash",
    "lesion",
    "biopsy",
    "pathology",
    "specimen",
    "received",
];
const DRUGS: &[&str] = &[
    "Metformin",
    "Lisinopril",
    "Atorvastatin",
    "Amlodipine",
    "Omeprazole",
    "Sertraline",
    "Albuterol",
    "Furosemide",
    "Warfarin",
    "Apixaban",
    "Levothyroxine",
    "Gabapentin",
    "Prednisone",
    "Insulin",
    "Losartan",
    "Clopidogrel",
    "Metoprolol",
    "Hydrochlorothiazide",
];
const TYPES: &[&str] = &[
    "progress_note",
    "history_and_physical",
    "discharge_summary",
    "operative_report",
    "lab_report",
    "radiology_report",
    "pathology_report",
    "medication_list",
    "referral_letter",
    "consent_form",
    "face_sheet",
    "prescription",
    "insurance_card",
    "other",
];
const CODES: &[&str] = &[
    "I50.9", "E11.9", "I10", "J45.909", "K21.9", "N39.0", "F41.1", "M54.50", "J18.9", "E78.5",
    "I48.91", "R07.9", "Z00.00", "D50.8", "S52.501A",
];
const PHRASES: &[&str] =
    &["congestive heart failure", "shortness of breath", "chest pain", "urinary tract infection"];

/// An invented, pronounceable name (obviously fake: "Testwoodley").
fn fake_name(rng: &mut Rng, parts: usize) -> String {
    const SYL: &[&str] = &[
        "test", "mock", "fake", "dumm", "sam", "pla", "ce", "hol", "der", "ford", "wood", "ley",
        "ton", "ver", "nar", "bel", "quin", "dor", "mel", "ra", "zo", "ki", "lu", "pen",
    ];
    let mut s = String::new();
    for _ in 0..parts {
        s.push_str(rng.pick(SYL));
    }
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A rare term of the long tail (one of `n`), drawn with a Zipf-like distribution.
fn tail_word(rng: &mut Rng, n: usize) -> String {
    // Inverse-transform of a 1/k distribution: k = n^u.
    let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    let k = (n as f64).powf(u) as usize;
    format!("term{k}")
}

/// A document id like chartdex's (the 64 hex digits of a SHA-256): a mix of the number, so
/// that ids differ from their first digits as real ones do (zero-padded counters would all share
/// them).
fn sha_like_id(n: u64) -> String {
    (1..=4u64)
        .map(|i| {
            // splitmix64
            let mut z = n.wrapping_mul(4).wrapping_add(i).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            format!("{:016x}", z ^ (z >> 31))
        })
        .collect()
}

struct Patient {
    given: String,
    family: String,
    mrn: String,
    dob: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("usage: bench-search DIR [PAGES [Q]]"));
    let pages: usize = args.get(2).map_or(1_000_000, |a| a.parse().expect("PAGES"));
    let per_kind: usize = args.get(3).map_or(200, |a| a.parse().expect("QUERIES_PER_KIND"));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    // Thousands of patients, each with a few documents of a few pages.
    let patients: Vec<Patient> = (0..(pages / 200).max(10))
        .map(|i| Patient {
            given: fake_name(&mut rng, 2),
            family: fake_name(&mut rng, 3),
            mrn: format!("MR{:07}", 1_000_000 + i),
            dob: format!(
                "{}-{:02}-{:02}",
                1930 + rng.below(80),
                1 + rng.below(12),
                1 + rng.below(28)
            ),
        })
        .collect();

    // BENCH_REUSE=1: time the queries on the index a previous run built (same patients).
    if std::env::var_os("BENCH_REUSE").is_some() && dir.join("meta.json").exists() {
        return queries(&dir, &patients, per_kind, &mut rng);
    }
    let started = Instant::now();
    let index = SearchIndex::recreate(&dir).expect("index");
    let mut writer = index.writer().expect("writer");
    let mut written = 0;
    let mut doc_no = 0u64;
    let mut text = String::new();
    while written < pages {
        let p = &patients[rng.below(patients.len())];
        let doc_id = sha_like_id(doc_no);
        doc_no += 1;
        let n_pages = 1 + rng.below(19).min(rng.below(19));
        let date =
            format!("{}-{:02}-{:02}", 2005 + rng.below(20), 1 + rng.below(12), 1 + rng.below(28));
        let doc_type = rng.pick(TYPES);
        let icd10: Vec<String> = (0..rng.below(3)).map(|_| rng.pick(CODES).to_string()).collect();
        let meds: Vec<String> = (0..rng.below(4)).map(|_| rng.pick(DRUGS).to_string()).collect();
        let patient = format!("{} {}", p.given, p.family);
        let source = format!("box{:03}/chart{doc_no}.pdf", doc_no % 1000);
        for page in 1..=n_pages as u32 {
            text.clear();
            text.push_str(&format!(
                "Patient: {}, {} MRN: {} DOB: {}\n",
                p.family, p.given, p.mrn, p.dob
            ));
            for w in 0..(150 + rng.below(200)) {
                if w % 17 == 0 {
                    text.push('\n');
                }
                match rng.below(100) {
                    0..=59 => text.push_str(rng.pick(CLINICAL)),
                    60..=61 => text.push_str(rng.pick(PHRASES)),
                    62..=63 => text.push_str(rng.pick(DRUGS)),
                    64 => text.push_str(rng.pick(CODES)),
                    _ => text.push_str(&tail_word(&mut rng, 200_000)),
                }
                text.push(' ');
            }
            writer
                .add_page(&PageEntry {
                    doc_id: &doc_id,
                    page,
                    source: &source,
                    text: &text,
                    doc_type: Some(doc_type),
                    patient: Some(&patient),
                    mrn: Some(&p.mrn),
                    dob: Some(&p.dob),
                    service_date: Some(&date),
                    icd10: &icd10,
                    cpt: &[],
                    meds: &meds,
                    provider: Some("Robert Fakedoc"),
                })
                .expect("add page");
            written += 1;
        }
        if doc_no.is_multiple_of(20_000) {
            writer.commit().expect("commit");
            eprintln!(
                "  {written} pages, {:.0} pages/s",
                written as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    writer.commit().expect("commit");
    drop(writer);
    let build = started.elapsed();
    let size: u64 = std::fs::read_dir(&dir)
        .expect("index dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "index: {written} pages of {doc_no} documents, {} patients; built in {:.1} s ({:.0} pages/s); {:.2} GB on disk ({:.0} bytes/page)",
        patients.len(),
        build.as_secs_f64(),
        written as f64 / build.as_secs_f64(),
        size as f64 / 1e9,
        size as f64 / written as f64
    );

    queries(&dir, &patients, per_kind, &mut rng);
}

/// Times a fixed mix of queries, each drawn from the generated patients.
fn queries(dir: &std::path::Path, patients: &[Patient], per_kind: usize, rng: &mut Rng) {
    let mut rng = Rng(rng.next());
    let index = SearchIndex::open(dir).expect("open");
    let mut kinds: Vec<(&str, Vec<SearchQuery>)> = Vec::new();
    let q = |rng: &mut Rng, make: &dyn Fn(&mut Rng, &Patient) -> SearchQuery| {
        (0..per_kind)
            .map(|_| {
                let p = &patients[rng.below(patients.len())];
                SearchQuery { limit: 10, ..make(rng, p) }
            })
            .collect::<Vec<_>>()
    };
    kinds.push((
        "name",
        q(&mut rng, &|_, p| SearchQuery::text(&format!("{} {}", p.given, p.family), 10)),
    ));
    kinds.push(("mrn", q(&mut rng, &|_, p| SearchQuery::text(&p.mrn, 10))));
    kinds.push((
        "phrase",
        q(&mut rng, &|r, _| SearchQuery::text(&format!("\"{}\"", r.pick(PHRASES)), 10)),
    ));
    kinds.push((
        "fuzzy name",
        q(&mut rng, &|_, p| {
            // Two letters swapped in the family name: no exact hit, so the fuzzy fallback runs.
            let mut c: Vec<char> = p.family.chars().collect();
            c.swap(2, 3);
            SearchQuery::text(&format!("{} {}", p.given, c.into_iter().collect::<String>()), 10)
        }),
    ));
    kinds.push((
        "word + type + dates",
        q(&mut rng, &|r, _| SearchQuery {
            text: r.pick(CLINICAL).to_string(),
            doc_type: Some(r.pick(TYPES).to_string()),
            from: Some(format!("{}", 2005 + r.below(15))),
            to: Some(format!("{}", 2020 + r.below(5))),
            ..SearchQuery::default()
        }),
    ));
    kinds.push((
        "mrn filter + code",
        q(&mut rng, &|r, p| SearchQuery {
            mrn: Some(p.mrn.clone()),
            code: Some(r.pick(CODES).to_string()),
            ..SearchQuery::default()
        }),
    ));

    // Warm up (the page cache, the reader), then time every query once.
    for (_, qs) in &kinds {
        for query in qs.iter().take(5) {
            index.search(query).expect("search");
        }
    }
    let mut all = Vec::new();
    println!(
        "{:<22} {:>8} {:>9} {:>9} {:>9} {:>10}",
        "query", "queries", "p50 ms", "p99 ms", "max ms", "mean hits"
    );
    for (name, qs) in &kinds {
        let mut times = Vec::with_capacity(qs.len());
        let mut hits = 0;
        for query in qs {
            let t = Instant::now();
            hits += index.search(query).expect("search").len();
            times.push(t.elapsed());
        }
        let (p50, p99, max) = percentiles(&mut times);
        println!(
            "{name:<22} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>10.1}",
            qs.len(),
            ms(p50),
            ms(p99),
            ms(max),
            hits as f64 / qs.len() as f64
        );
        all.extend(times);
    }
    let (p50, p99, max) = percentiles(&mut all);
    println!("{:<22} {:>8} {:>9.2} {:>9.2} {:>9.2}", "all", all.len(), ms(p50), ms(p99), ms(max));
    let timeline: Vec<Duration> = patients
        .iter()
        .take(per_kind)
        .map(|p| {
            let t = Instant::now();
            let q = SearchQuery { mrn: Some(p.mrn.clone()), ..SearchQuery::default() };
            index.documents(&q).expect("timeline");
            t.elapsed()
        })
        .collect();
    let mut timeline = timeline;
    let (p50, p99, max) = percentiles(&mut timeline);
    println!(
        "{:<22} {:>8} {:>9.2} {:>9.2} {:>9.2}",
        "patient timeline",
        timeline.len(),
        ms(p50),
        ms(p99),
        ms(max)
    );
}

fn percentiles(times: &mut [Duration]) -> (Duration, Duration, Duration) {
    times.sort();
    let at = |p: f64| {
        times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1).min(times.len() - 1)]
    };
    (at(0.50), at(0.99), times[times.len() - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
