//! HTTP: `POST /kojihub` answers XML-RPC, `GET /kojifiles/<path>` serves the topdir (the
//! hub's topurl). Faults can be injected to test clients: HTTP 500s or ServerOffline
//! faults for the first calls, a delay before every answer, cut-short or corrupted
//! downloads.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pungi_host::capabilities::koji::xmlrpc::{self, Fault};
use socket2::{Domain, Protocol, Socket, Type};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::api::dispatch;
use crate::state::Indexed;
use crate::tasks::Tasks;

/// Misbehaviour to inject, for fault tests.
#[derive(Debug, Default)]
pub struct Faults {
    /// Answer the first N calls with HTTP 500.
    pub http_500: AtomicU32,
    /// Answer the first N calls (after the 500s) with a ServerOffline (1014) fault.
    pub offline: AtomicU32,
    /// Wait this long before answering any call.
    pub delay: Duration,
    /// Send only half of the first N downloads, then close the connection.
    pub truncate: AtomicU32,
    /// Flip a byte in the first N downloads (same length).
    pub corrupt: AtomicU32,
}

/// Takes one from a countdown; true while it was above zero.
fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

pub struct Hub {
    pub state: Indexed,
    pub tasks: Tasks,
    pub topdir: PathBuf,
    pub faults: Faults,
}

/// A server listening on `addr` whose connections send without Nagle's delay, unless
/// `nagle` (how the hub answered before, kept to measure what it cost).
///
/// tiny_http writes a response's head and body in two writes; with Nagle's algorithm on,
/// the body waits for the client to acknowledge the head, and a client on a kept-alive
/// connection delays that acknowledgement up to 40 ms (Linux's delayed ACK). Every call
/// after a connection's first would then take about 40 ms instead of well under one.
/// `TCP_NODELAY` set on the listening socket is inherited by the connections it accepts
/// (Linux, the BSDs), which tiny_http does not let us reach.
pub fn listen(addr: &str, nagle: bool) -> anyhow::Result<Server> {
    let addr = std::net::ToSocketAddrs::to_socket_addrs(addr)
        .map_err(|e| anyhow::anyhow!("--listen {addr}: {e}"))?
        .next()
        .ok_or_else(|| anyhow::anyhow!("--listen {addr}: no address"))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .and_then(|socket| {
            socket.set_reuse_address(true)?;
            socket.set_tcp_nodelay(!nagle)?;
            socket.bind(&addr.into())?;
            socket.listen(128)?;
            Ok(socket)
        })
        .map_err(|e| anyhow::anyhow!("listening on {addr}: {e}"))?;
    Server::from_listener(std::net::TcpListener::from(socket), None)
        .map_err(|e| anyhow::anyhow!("listening on {addr}: {e}"))
}

/// Serves `hub` on `server` with `threads` request threads; blocks.
pub fn serve(server: Server, hub: Hub, threads: usize) {
    let server = Arc::new(server);
    let hub = Arc::new(hub);
    let handles: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let (server, hub) = (server.clone(), hub.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(&hub, request);
                }
            })
        })
        .collect();
    for handle in handles {
        let _ = handle.join();
    }
}

fn xml_header() -> Header {
    Header::from_bytes("Content-Type", "text/xml").expect("a valid header")
}

fn handle(hub: &Hub, mut request: Request) {
    let url = request.url().to_owned();
    let result = match (request.method(), url.split('?').next().unwrap_or_default()) {
        (Method::Post, "/kojihub") => {
            let mut body = String::new();
            if request.as_reader().read_to_string(&mut body).is_err() {
                request.respond(Response::from_string("unreadable body").with_status_code(400))
            } else {
                let reply = call(hub, &body);
                match reply {
                    Some(xml) => {
                        request.respond(Response::from_string(xml).with_header(xml_header()))
                    }
                    None => request
                        .respond(Response::from_string("injected failure").with_status_code(500)),
                }
            }
        }
        (Method::Get, path) if path.starts_with("/kojifiles/") => {
            download(hub, request, &path["/kojifiles/".len()..])
        }
        _ => request.respond(Response::from_string("not found").with_status_code(404)),
    };
    if let Err(e) = result {
        eprintln!("pungi-koji-hub: answering {url}: {e}");
    }
}

/// The XML answer to a call, or `None` for an injected HTTP 500.
fn call(hub: &Hub, body: &str) -> Option<String> {
    std::thread::sleep(hub.faults.delay);
    if take(&hub.faults.http_500) {
        return None;
    }
    let result = match xmlrpc::decode_call(body) {
        Err(e) => Err(Fault {
            code: 1000,
            message: e.to_string(),
        }),
        Ok(_) if take(&hub.faults.offline) => Err(Fault {
            code: 1014,
            message: "server is offline (injected)".into(),
        }),
        Ok((method, params)) => dispatch(&hub.state, &hub.tasks, &method, params),
    };
    Some(xmlrpc::encode_response(&result))
}

fn download(hub: &Hub, request: Request, relative: &str) -> std::io::Result<()> {
    let relative = percent_decode(relative);
    if relative.split('/').any(|p| p == ".." || p.is_empty()) {
        return request.respond(Response::from_string("bad path").with_status_code(400));
    }
    let Ok(mut bytes) = std::fs::read(hub.topdir.join(&relative)) else {
        return request.respond(Response::from_string("not found").with_status_code(404));
    };
    let length = bytes.len();
    if take(&hub.faults.corrupt) && !bytes.is_empty() {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
    }
    if take(&hub.faults.truncate) {
        bytes.truncate(length / 2);
        let close = Header::from_bytes("Connection", "close").expect("a valid header");
        let response = Response::new(200.into(), vec![close], &bytes[..], Some(length), None);
        return request.respond(response);
    }
    request.respond(Response::from_data(bytes))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
