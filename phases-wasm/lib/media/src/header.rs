//! The compose identity productmd files repeat, from what the host tells a phase.

use pungi_phase_sdk::ComposeInfo;
use pungi_productmd::Compose;

pub fn compose(info: &ComposeInfo) -> Compose {
    Compose {
        id: info.id.clone(),
        kind: info.compose_type.clone(),
        date: info.date.clone(),
        respin: info.respin,
        label: info.label.clone(),
        r#final: None,
    }
}
