//! Values no label gave, read by their shape and their place in the header: a birth date by
//! the age printed beside it or by how long before the visit it is, the visit's date as the
//! one recent date beside a birth date, and a sex spelled out on its own.
//!
//! The header's labels are sometimes unreadable (small grey captions OCR garbles: "bos
//! um-pp-yww)", "Administrative Sender"); the values under them are not. A value taken here
//! fills a field no label filled, only where its shape leaves no doubt among the header's
//! unclaimed values (no label chartdex knows claims it), at a confidence that sends the
//! document to review.

use std::sync::LazyLock;

use regex::Regex;

use crate::labels::{self, leading_date};
use crate::layout::Line;
use crate::Extraction;

/// The confidence factor of a value read by its shape alone.
const FACTOR: f32 = 0.6;

/// True if a row is running text, not a header's: more words than a header's row holds.
fn prose(row: &Line<'_>) -> bool {
    row.tokens.len() > 16
}

/// Days from 0000-03-01 of an ISO date ("1961-03-14"), for telling how far apart two are.
fn days(iso: &str) -> Option<i64> {
    let y: i64 = iso.get(..4)?.parse().ok()?;
    let m: i64 = iso.get(5..7)?.parse().ok()?;
    let d: i64 = iso.get(8..10)?.parse().ok()?;
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    Some(365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d)
}

/// Whole years from `from` to `to` (ISO dates).
fn years_between(from: &str, to: &str) -> Option<i64> {
    let (fy, fm, fd): (i64, &str, &str) =
        (from.get(..4)?.parse().ok()?, from.get(5..7)?, from.get(8..10)?);
    let (ty, tm, td): (i64, &str, &str) =
        (to.get(..4)?.parse().ok()?, to.get(5..7)?, to.get(8..10)?);
    Some(ty - fy - i64::from((tm, td) < (fm, fd)))
}

/// An age in years as printed beside a birth date: "(62 y)", "/ 62 yrs", "62Y".
fn age_at(text: &str) -> Option<i64> {
    let (n, years, _) = labels::leading_age(text.trim_start_matches(['/', ',', ' ']))?;
    (years == Some(true)).then_some(n)
}

/// The first of `items` if they all have the same `key` (the header gives one value so, maybe
/// in several places), else none.
fn the_one<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Option<&T> {
    let distinct: std::collections::BTreeSet<K> = items.iter().map(key).collect();
    items.first().filter(|_| distinct.len() == 1)
}

/// A date of a header's: its row, where it starts and ends, whether a known label claims it,
/// and its value (ISO).
pub(crate) type HeaderDate = (usize, usize, usize, bool, String);

/// The dates of a header's rows (not of running text).
pub(crate) fn header_dates(rows: &[Line<'_>], tokens: &labels::Header<'_>) -> Vec<HeaderDate> {
    let mut dates: Vec<HeaderDate> = Vec::new();
    for (i, &(n, t, known)) in tokens.iter().enumerate() {
        let row = &rows[n];
        // (Not in running text: a header's rows are short.)
        if prose(row) {
            continue;
        }
        // (Not again from inside a date already read: "March 2, 2024" is one.)
        if dates.last().is_some_and(|d| d.0 == n && d.2 > t.start) {
            continue;
        }
        let Some((date, used)) = leading_date(&row.text[t.start..]) else { continue };
        let end = tokens[i..(i + used).min(tokens.len())]
            .iter()
            .rev()
            .find(|x| x.0 == n)
            .map_or(t.end, |x| x.1.end);
        dates.push((n, t.start, end, known, date.iso()));
    }
    dates
}

/// The date of service of a header whose visit date has no label chartdex could read: the one
/// date among the header's that no known label claims and that is not the birth date nor more
/// than two years before the header's latest date (a birth, an old onset), when there is only
/// one such date.
pub(crate) fn dos(
    rows: &[Line<'_>],
    dates: &[HeaderDate],
    out: &mut Extraction,
    state: &mut labels::State,
) {
    if out.fields.service_date.is_some() {
        return;
    }
    // (Only beside a birth date read: else the one date may be the birth date.)
    let Some(dob) = out.fields.patient.dob.as_deref() else { return };
    let Some(latest) = dates.iter().filter_map(|d| days(&d.4)).max() else { return };
    let unclaimed: Vec<_> = dates
        .iter()
        .filter(|d| !d.3 && d.4 != dob)
        .filter(|d| days(&d.4).is_some_and(|x| latest - x <= 2 * 365))
        .collect();
    if let Some(&&(n, s, e, _, _)) = the_one(&unclaimed, |d| d.4.as_str()) {
        labels::apply(crate::vocab::Key::Dos(6), &rows[n], s, e, FACTOR, out, state);
    }
}

/// The birth date of a header whose birth date has no label chartdex could read: among the
/// header's dates no known label claims, the one with an age beside it that matches the years
/// to the visit (the date of service, else the header's latest date); else the only one more
/// than two years before it (and not over 120).
pub(crate) fn dob(
    rows: &[Line<'_>],
    dates: &[HeaderDate],
    out: &mut Extraction,
    state: &mut labels::State,
) {
    if out.fields.patient.dob.is_some() {
        return;
    }
    // The visit: the date a label gave, else the header's latest.
    let visit = out.fields.service_date.clone().or_else(|| dates.iter().map(|d| d.4.clone()).max());
    let Some(visit) = visit else { return };
    let Some(visit_days) = days(&visit) else { return };
    let old = |iso: &str| {
        days(iso).is_some_and(|d| visit_days - d > 2 * 365)
            && years_between(iso, &visit).is_some_and(|y| y <= 120)
    };
    let unclaimed: Vec<_> = dates.iter().filter(|d| !d.3 && old(&d.4)).collect();
    let aged = unclaimed.iter().find(|(n, _, e, _, iso)| {
        let after = rows[*n].text.get(*e..).unwrap_or("");
        age_at(after)
            .is_some_and(|a| years_between(iso, &visit).is_some_and(|y| (a - y).abs() <= 1))
    });
    let pick = aged.or_else(|| the_one(&unclaimed, |d| d.4.as_str()));
    if let Some(&&(n, s, e, _, _)) = pick {
        labels::apply(crate::vocab::Key::Dob, &rows[n], s, e, FACTOR, out, state);
    }
}

/// The sex of a header whose sex has no label chartdex could read: "Male" or "Female" spelled
/// out in a short cell as a value no known label claims, when the header spells out only one.
pub(crate) fn sex(
    rows: &[Line<'_>],
    header: &labels::Header<'_>,
    out: &mut Extraction,
    state: &mut labels::State,
) {
    if out.fields.patient.sex.is_some() {
        return;
    }
    let mut found = Vec::new();
    for &(n, t, known) in header {
        if prose(&rows[n]) {
            continue;
        }
        let row = &rows[n];
        let word = row.text[t.start..t.end].trim_matches(|c: char| !c.is_alphabetic());
        // The word in a short cell ("Male" under a garbled caption, or before one), not in a
        // sentence ("delivery of viable male, Apgars 8 and 9").
        let k = row.tokens.iter().position(|x| std::ptr::eq(x, t)).unwrap_or(usize::MAX);
        let short = row.cell_ranges().iter().any(|&(a, b)| a <= k && k <= b && b - a < 4);
        let running = row
            .tokens
            .iter()
            .filter(|x| {
                let w = row.text[x.start..x.end].trim_matches(|c: char| !c.is_alphabetic());
                w.len() >= 4 && w.chars().all(|c| c.is_ascii_lowercase())
            })
            .count();
        if short
            && running < 3
            && !known
            && (word.eq_ignore_ascii_case("male") || word.eq_ignore_ascii_case("female"))
        {
            found.push((n, t.start, t.end, word.to_ascii_lowercase()));
        }
    }
    if let Some(&(n, s, e, _)) = the_one(&found, |f| f.3.clone()) {
        labels::apply(crate::vocab::Key::Sex, &rows[n], s, e, FACTOR, out, state);
        return;
    }
    aged_sex(rows, header, out);
}

/// The sex a form's marks choose (a ticked box, a filled button, a ring around an option, read
/// from the page's pixels by the OCR stage: [`labels::measured_mark`]) on a row that names the
/// sex or under one that does ("Sex (M or F)  Male · ☒ Female", "Gender Identity" over
/// "☒ M ☐ F"). A mark seen in the pixels is surer than any reading of the words around it, so it
/// replaces the sex a label's value gave ("Gender (Male /" read as the value "Male"); where the
/// marks on the page choose two sexes, nothing is changed.
pub(crate) fn marked_sex(rows: &[Line<'_>], out: &mut Extraction) {
    let names_sex = |row: &Line<'_>| {
        row.tokens.iter().any(|t| {
            let w = row.text[t.start..t.end].trim_matches(|c: char| !c.is_alphabetic());
            crate::vocab::classify(w) == Some(crate::vocab::Key::Sex)
        })
    };
    let mut found: Vec<(usize, usize, usize, &'static str)> = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        if prose(row) || !row.text.contains(labels::MARK_CHECKED) {
            continue;
        }
        if !(n.saturating_sub(2)..=n).any(|m| names_sex(&rows[m])) {
            continue;
        }
        let words: Vec<&str> = row.tokens.iter().map(|t| &row.text[t.start..t.end]).collect();
        let Some(s) = labels::measured_mark(&words) else { continue };
        // (The option's word, for the evidence's place.)
        let option = row.tokens.iter().zip(&words).enumerate().find(|(k, (_, w))| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            labels::sex(w).as_deref() == Some(s)
                && [k.wrapping_sub(1), k + 1]
                    .iter()
                    .any(|&j| words.get(j) == Some(&labels::MARK_CHECKED))
        });
        if let Some((_, (t, _))) = option {
            found.push((n, t.start, t.end, s));
        }
    }
    let Some(&(n, start, end, s)) = the_one(&found, |f| f.3) else { return };
    out.evidence.retain(|e| e.field != "patient.sex");
    out.note("patient.sex", s, rows[n].place(start, end), 0.95, None);
    out.fields.patient.sex = Some(s.to_string());
}

/// An age with a sex written after it or before it, as wristbands, banners and dictated heads
/// print them: "59Y/F", "(59 yo F)", "62 y.o. male", "F/59".
static AGE_SEX: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    let (age, unit, sex) = (
        r"(?P<age>\d{1,3})",
        r"(?P<unit>y(?:ears?|rs?|/o|\.o\.|o)?\.?)?",
        r"(?P<sex>female|male|f|m)",
    );
    let (open, close) = (r"(?i)(?:^|[\s(\[,;|])", r"(?:$|[\s)\],;|.])");
    [
        format!(r"{open}{age}\s*{unit}\s*[/,-]?\s*{sex}{close}"),
        format!(r"{open}{sex}\s*[/,]\s*{age}\s*{unit}{close}"),
    ]
    .map(|re| Regex::new(&re).expect("valid regex"))
});

/// The sex of a header that gives it only beside the patient's age ("59Y/F", "(59 yo F)",
/// "F/59"): an age that is one in years (its unit says so, or it matches the years from the
/// birth date to the visit), with M or F run into it. Taken when the header's rows give only
/// one sex so, at the confidence of a value read by its shape.
fn aged_sex(rows: &[Line<'_>], header: &labels::Header<'_>, out: &mut Extraction) {
    let years = match (out.fields.patient.dob.as_deref(), out.fields.service_date.as_deref()) {
        (Some(dob), Some(visit)) => years_between(dob, visit),
        _ => None,
    };
    // (An age is the patient's only if it is theirs, where it can be told; else if in years.)
    let fits = |age: i64, unit: bool| age <= 120 && years.map_or(unit, |y| (age - y).abs() <= 1);
    let mut found: Vec<(usize, usize, usize, char)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for &(n, _, _) in header {
        if !seen.insert(n) || prose(&rows[n]) {
            continue;
        }
        for c in AGE_SEX.iter().flat_map(|re| re.captures_iter(rows[n].text)) {
            let age: i64 = c["age"].parse().unwrap_or(i64::MAX);
            let sex = c.name("sex").expect("the sex group always matches");
            if fits(age, c.name("unit").is_some()) {
                found.push((n, sex.start(), sex.end(), first_upper(sex.as_str())));
            }
        }
    }
    if let Some(&(n, s, e, sex)) = the_one(&found, |f| f.3) {
        let value = sex.to_string();
        out.note("patient.sex", &value, rows[n].place(s, e), FACTOR, None);
        out.fields.patient.sex = Some(value);
    }
}

/// "F" for "female", "M" for "m".
fn first_upper(word: &str) -> char {
    word.chars().next().map_or('?', |c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract;
    use crate::tests::page;

    #[test]
    fn a_birth_date_under_a_garbled_caption_by_the_age_beside_it_or_alone_long_before() {
        // Captions OCR garbled ("DOS /Aye" for "DOB/Age", "Discnarge Dt").
        let e = extract(&[page(
            "Patient: Alice Testpatient\nDOS /Aye\nApril 28, 1987 (33 y)\nDischarge Date: 02/27/2021",
        )]);
        assert_eq!(e.fields.patient.dob.as_deref(), Some("1987-04-28"));
        assert!(e.evidence_for("patient.dob").unwrap().confidence < 0.7);
        let f = extract(&[page(
            "Patient: Alice Testpatient\nbos um-pp-yww 08-19-1954\nVisit Date: 01/23/2021",
        )])
        .fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1954-08-19"));
        // Not a date a known label claims (a last visit, an onset), nor one of two old dates.
        let f = extract(&[page(
            "Patient: Alice Testpatient\nDate of Onset: 08-19-1954\nVisit Date: 01/23/2021",
        )])
        .fields;
        assert_eq!(f.patient.dob, None);
        let f = extract(&[page(
            "Patient: Alice Testpatient\nxq 08-19-1954 zz 07-01-1990\nVisit Date: 01/23/2021",
        )])
        .fields;
        assert_eq!(f.patient.dob, None);
    }

    #[test]
    fn a_visit_date_under_a_garbled_caption_when_it_is_the_only_recent_one() {
        // A caption OCR garbled ("Encounter Date" read "bnconnier Uaie"): no label chartdex knows.
        let e = extract(&[page(
            "Patient: Alice Testpatient\nDate of Birth: 08-19-1954\nbnconnier Uaie 01/23/2021\nMRN: 00123456",
        )]);
        assert_eq!(e.fields.service_date.as_deref(), Some("2021-01-23"));
        assert!(e.evidence_for("service_date").unwrap().confidence < 0.7);
        // Not with two such dates, nor a date a known label claims, nor without a birth date
        // read (the one date might be it).
        let f = extract(&[page(
            "Patient: Alice Testpatient\nDate of Birth: 08-19-1954\nxq 01/23/2021 zz 01/25/2021\nMRN: 00123456",
        )])
        .fields;
        assert_eq!(f.service_date, None);
        let f = extract(&[page(
            "Patient: Alice Testpatient\nDate of Birth: 08-19-1954\nNext Appointment: 01/23/2021",
        )])
        .fields;
        assert_eq!(f.service_date, None);
        let f = extract(&[page("Patient: Alice Testpatient\nxq 01/23/2021\nMRN: 00123456")]).fields;
        assert_eq!(f.service_date, None);
    }

    #[test]
    fn a_sex_by_the_marks_on_a_row_under_the_sexs_caption() {
        let sex = |text: &str| {
            extract(&[page(&format!("Patient: Alice Testpatient\n{text}\nVisit Date: 01/23/2021"))])
                .fields
                .patient
                .sex
        };
        assert_eq!(sex("Gender Identity\n☐ Male ☒ Female").as_deref(), Some("F"));
        // Over what a label's value gave: "Sex (Male" read as the value "Male".
        assert_eq!(sex("Sex (Male or Female)\n☐ Male ☒ Female ☐ Other").as_deref(), Some("F"));
        // Not marks under no caption of a sex over a labelled sex, nor two rows marking two
        // sexes.
        assert_eq!(
            sex("Sex: M\nPreferred Pronouns\nSmoker\n☐ Male ☒ Female").as_deref(),
            Some("M")
        );
        let two = "Sex: M\nPreferred Pronouns\nSmoker\n☒ Male ☐ Female\nParent\n☐ Male ☒ Female";
        assert_eq!(sex(two).as_deref(), Some("M"));
        assert_eq!(sex(&two.replace("Smoker", "Gender")).as_deref(), Some("M"));
        assert_eq!(sex(&two.replace("Parent", "Gender")).as_deref(), Some("F"));
        let both = two.replace("Smoker", "Gender").replace("Parent", "Sex at Birth");
        assert_eq!(sex(&both).as_deref(), Some("M"));
    }

    #[test]
    fn a_sex_spelled_out_in_a_short_cell_not_in_a_sentence() {
        let f = extract(&[page(
            "Patient: Alice Testpatient\nAdministrative Sender\nFemale\nVisit Date: 01/23/2021",
        )])
        .fields;
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        let f = extract(&[page(
            "Patient: Alice Testpatient\nInduction of vaginal delivery of viable male, Apgars 8 and 9.\nVisit Date: 01/23/2021",
        )])
        .fields;
        assert_eq!(f.patient.sex, None);
    }

    #[test]
    fn a_chart_that_writes_its_dates_day_first_has_them_all_read_so() {
        let f = extract(&[page(
            "Patient: Alice Testpatient\nDate of Birth: 14/03/1961\nDate of Visit: 05/01/2021",
        )])
        .fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        assert_eq!(f.service_date.as_deref(), Some("2021-01-05"));
        // Month first where nothing says otherwise.
        let f = extract(&[page("Patient: Alice Testpatient\nDate of Visit: 05/01/2021")]).fields;
        assert_eq!(f.service_date.as_deref(), Some("2021-05-01"));
    }

    #[test]
    fn a_sex_run_into_the_patients_age() {
        let sex = |text: &str| {
            extract(&[page(&format!("Patient: Alice Testpatient\n{text}\nVisit Date: 01/23/2021"))])
                .fields
                .patient
                .sex
        };
        assert_eq!(sex("DOB: 03/14/1961 (59 yo F)").as_deref(), Some("F"));
        assert_eq!(sex("DOB: 03/14/1961   59Y/M").as_deref(), Some("M"));
        assert_eq!(sex("DOB: 03/14/1961   F/59").as_deref(), Some("F"));
        assert_eq!(sex("DOB: 03/14/1961   59 y.o. female").as_deref(), Some("F"));
        assert_eq!(sex("MRN: 00123456   62Y  F").as_deref(), Some("F"));
        // Not an age that is not the patient's (a dose, a count, a floor), nor two sexes.
        assert_eq!(sex("DOB: 03/14/1961\nBed 12/F"), None);
        assert_eq!(sex("MRN: 00123456   Room 5/F"), None);
        assert_eq!(sex("MRN: 00123456   59Y/F   Mother 85Y/M"), None);
        // (Where the birth date tells whose age is whose, the patient's.)
        assert_eq!(sex("DOB: 03/14/1961   59Y/F   Mother 85Y/M").as_deref(), Some("F"));
    }

    #[test]
    fn ages_and_years() {
        assert_eq!(age_at(" (62 y)"), Some(62));
        assert_eq!(age_at(" 62 yrs"), Some(62));
        assert_eq!(age_at("62Y"), Some(62));
        assert_eq!(age_at(" 62 mg"), None);
        assert_eq!(age_at(" Yale"), None);
        assert_eq!(age_at(" 3 mo"), None);
        assert_eq!(labels::leading_age("3 mo"), Some((3, Some(false), 4)));
        assert_eq!(labels::leading_age("(74 yrs) F"), Some((74, Some(true), 8)));
        assert_eq!(labels::leading_age("74"), Some((74, None, 2)));
        assert_eq!(labels::leading_age("1234"), None);
        assert_eq!(years_between("1961-03-14", "2024-03-13"), Some(62));
        assert_eq!(years_between("1961-03-14", "2024-03-14"), Some(63));
        assert_eq!(days("2024-03-02").zip(days("2024-02-28")).map(|(a, b)| a - b), Some(3));
    }
}
