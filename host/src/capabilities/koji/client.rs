//! A Koji client: XML-RPC over HTTP(S) with multicall batching, retries with backoff on
//! connection errors, 5xx responses and Koji's retryable faults, timeouts, and anonymous
//! or SSL-certificate sessions.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig};

use super::builds::Builds;
use super::error::KojiError;
use super::profile::{Auth, HubSettings};
use super::xmlrpc::{self, Fault, Value};

/// A logged-in session's credentials, sent as Koji's session headers.
struct Session {
    id: String,
    key: String,
    callnum: u64,
}

/// One hub connection (pooled by the agent), its session, and the builds it has seen.
pub struct Client {
    settings: HubSettings,
    agent: ureq::Agent,
    session: Arc<Mutex<Option<Session>>>,
    builds: Arc<Builds>,
    /// When every request and retry of this handle must be over ([`Client::until`]).
    deadline: Option<Instant>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("server", &self.settings.server)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `settings`; logs in when the profile asks for it.
    pub fn connect(settings: HubSettings) -> Result<Client, KojiError> {
        let mut tls = TlsConfig::builder();
        if let Some(ca) = &settings.serverca {
            let pem = read_file(ca)?;
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        match &settings.auth {
            Auth::Anonymous => {}
            Auth::Ssl { cert } => tls = tls.client_cert(Some(client_cert(cert)?)),
            Auth::Kerberos { principal } => {
                return Err(KojiError::Invalid(format!(
                    "koji profile `{}`: authtype = kerberos{} needs GSSAPI, which this build of pungi-wasm does not have; use authtype = ssl with a client certificate, or anonymous access for read-only phases",
                    settings.profile.as_deref().unwrap_or("<compose config>"),
                    principal
                        .as_deref()
                        .map(|p| format!(" (principal {p})"))
                        .unwrap_or_default()
                )));
            }
        }
        // One agent for every call and download of the compose, so they share kept-alive
        // connections (a new one per file costs a handshake, with TLS several round
        // trips); requests go out without Nagle's delay (docs/performance.md).
        let agent = ureq::Agent::config_builder()
            .no_delay(true)
            .http_status_as_error(false)
            .timeout_global(Some(settings.timeout))
            .tls_config(tls.build())
            .user_agent("pungi-wasm koji client")
            .build()
            .new_agent();
        let client = Client {
            settings,
            agent,
            session: Arc::new(Mutex::new(None)),
            builds: Arc::default(),
            deadline: None,
        };
        if matches!(client.settings.auth, Auth::Ssl { .. }) {
            client.login()?;
        }
        Ok(client)
    }

    pub fn settings(&self) -> &HubSettings {
        &self.settings
    }

    pub fn builds(&self) -> &Builds {
        &self.builds
    }

    /// The same client (connections, session and builds shared) whose requests and retries end
    /// by `deadline`: a phase's time limit stops its Wasm code, not a host call waiting on
    /// the hub, so its calls carry the limit here.
    pub fn until(&self, deadline: Instant) -> Client {
        Client {
            settings: self.settings.clone(),
            agent: self.agent.clone(),
            session: self.session.clone(),
            builds: self.builds.clone(),
            deadline: Some(deadline),
        }
    }

    /// The timeout for one request: the configured one, or less when the deadline is
    /// nearer; `Timeout` once it has passed.
    fn request_timeout(&self, what: &str) -> Result<Duration, KojiError> {
        let Some(deadline) = self.deadline else {
            return Ok(self.settings.timeout);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(KojiError::Timeout(format!(
                "{what}: the phase's time limit has passed"
            )));
        }
        Ok(left.min(self.settings.timeout))
    }

    /// `sslLogin`: the TLS handshake proves who we are; the hub answers with a session.
    fn login(&self) -> Result<(), KojiError> {
        let reply = self.call("sslLogin", &[])?;
        let text = |k: &str| reply.get(k).as_str().map(str::to_owned);
        let (Some(id), Some(key)) = (
            reply
                .get("session-id")
                .as_i64()
                .map(|i| i.to_string())
                .or_else(|| text("session-id")),
            text("session-key"),
        ) else {
            return Err(KojiError::Invalid(format!(
                "sslLogin to {} returned no session: {reply:?}",
                self.settings.server
            )));
        };
        *self.lock_session() = Some(Session {
            id,
            key,
            callnum: 0,
        });
        Ok(())
    }

    /// One method call, retried as koji's own client retries it.
    pub fn call(&self, method: &str, params: &[Value]) -> Result<Value, KojiError> {
        let body = xmlrpc::encode_call(method, params);
        self.with_retries(method, || {
            let text = self.post(&body)?;
            match xmlrpc::decode_response(&text) {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(Fault { code, message })) => Err(KojiError::Fault { code, message }),
                Err(e) => Err(KojiError::Network(format!(
                    "{method}: {e} ({} bytes received)",
                    text.len()
                ))),
            }
        })
    }

    /// Many calls in `multiCall` requests of at most the configured batch size; each
    /// result is the call's value or its own fault.
    pub fn multicall(
        &self,
        calls: &[(&str, Vec<Value>)],
    ) -> Result<Vec<Result<Value, Fault>>, KojiError> {
        let mut results = Vec::with_capacity(calls.len());
        for batch in calls.chunks(self.settings.multicall_batch.max(1)) {
            let list = Value::Array(
                batch
                    .iter()
                    .map(|(method, params)| {
                        Value::record([
                            ("methodName", Value::str(*method)),
                            ("params", Value::Array(params.clone())),
                        ])
                    })
                    .collect(),
            );
            let reply = self.call("multiCall", &[list])?;
            let items = reply
                .as_array()
                .ok_or_else(|| KojiError::Invalid("multiCall did not return a list".to_owned()))?;
            if items.len() != batch.len() {
                return Err(KojiError::Invalid(format!(
                    "multiCall returned {} results for {} calls",
                    items.len(),
                    batch.len()
                )));
            }
            results.extend(items.iter().map(|item| match item {
                Value::Array(one) if one.len() == 1 => Ok(one[0].clone()),
                other => Err(xmlrpc::as_fault(other).unwrap_or(Fault {
                    code: 1000,
                    message: format!("malformed multiCall result: {other:?}"),
                })),
            }));
        }
        Ok(results)
    }

    /// Runs two independent calls at once, each on a kept-alive connection of its own, so
    /// that the caller waits one round trip for both rather than two. In a logged-in
    /// session they run in turn: Koji numbers a session's calls and refuses one that
    /// arrives after a later one.
    pub fn both<A: Send, B: Send>(
        &self,
        first: impl FnOnce() -> Result<A, KojiError> + Send,
        second: impl FnOnce() -> Result<B, KojiError> + Send,
    ) -> (Result<A, KojiError>, Result<B, KojiError>) {
        if self.lock_session().is_some() {
            return (first(), second());
        }
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name("koji-call".into())
                .spawn_scoped(scope, second);
            let first = first();
            let second = match other {
                Ok(handle) => handle.join().unwrap_or_else(|_| {
                    Err(KojiError::Invalid(
                        "a koji call's thread panicked".to_owned(),
                    ))
                }),
                Err(e) => Err(KojiError::Io(format!("starting a koji call's thread: {e}"))),
            };
            (first, second)
        })
    }

    /// A GET of `url` (a file under topurl) handed to `consume` as a stream with its
    /// announced length. Connection errors, 5xx and a body cut short (a `Network` error
    /// from `consume`) are retried like calls.
    pub fn fetch<T>(
        &self,
        url: &str,
        mut consume: impl FnMut(Option<u64>, &mut dyn Read) -> Result<T, KojiError>,
    ) -> Result<T, KojiError> {
        self.with_retries(url, || {
            let response = (self.agent.get(url).config())
                .timeout_global(Some(self.request_timeout(url)?))
                .build()
                .call()
                .map_err(|e| transport(url, e))?;
            let status = response.status().as_u16();
            match status {
                200 => {}
                404 => return Err(KojiError::NotFound(url.to_owned())),
                500..=599 => return Err(KojiError::Network(format!("{url}: HTTP {status}"))),
                _ => return Err(KojiError::Invalid(format!("{url}: HTTP {status}"))),
            }
            let length = response
                .headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            let mut reader = response.into_body().into_reader();
            consume(length, &mut reader)
        })
    }

    fn lock_session(&self) -> std::sync::MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn post(&self, body: &str) -> Result<String, KojiError> {
        let server = &self.settings.server;
        let mut request = (self.agent.post(server).config())
            .timeout_global(Some(self.request_timeout(server)?))
            .build()
            .header("Content-Type", "text/xml");
        if let Some(session) = self.lock_session().as_mut() {
            session.callnum += 1;
            request = request
                .header("Koji-Session-Id", &session.id)
                .header("Koji-Session-Key", &session.key)
                .header("Koji-Session-Callnum", session.callnum.to_string());
        }
        let mut response = request.send(body).map_err(|e| transport(server, e))?;
        let status = response.status().as_u16();
        if status >= 500 {
            return Err(KojiError::Network(format!("{server}: HTTP {status}")));
        }
        if status != 200 {
            return Err(KojiError::Invalid(format!("{server}: HTTP {status}")));
        }
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .map_err(|e| io_error(server, &e))?;
        Ok(text)
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries (or the time to
    /// the deadline) are spent; waits `retry_interval`, doubling (capped at a minute),
    /// between tries.
    fn with_retries<T>(
        &self,
        what: &str,
        mut attempt: impl FnMut() -> Result<T, KojiError>,
    ) -> Result<T, KojiError> {
        let mut pause = self.settings.retry_interval;
        let mut tries = 0;
        loop {
            match attempt() {
                Err(error)
                    if error.retryable()
                        && tries < self.settings.max_retries
                        && self.deadline.is_none_or(|d| Instant::now() + pause < d) =>
                {
                    tries += 1;
                    tracing::warn!(
                        "koji {what}: {error}; try {} of {} in {:.1}s",
                        tries + 1,
                        self.settings.max_retries + 1,
                        pause.as_secs_f64()
                    );
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(60));
                }
                Err(error) if error.retryable() && tries > 0 => {
                    return Err(match error {
                        KojiError::Network(m) => {
                            KojiError::Network(format!("{m} (after {} tries)", tries + 1))
                        }
                        KojiError::Timeout(m) => {
                            KojiError::Timeout(format!("{m} (after {} tries)", tries + 1))
                        }
                        other => other,
                    });
                }
                other => return other,
            }
        }
    }
}

fn transport(url: &str, error: ureq::Error) -> KojiError {
    match error {
        ureq::Error::Timeout(which) => KojiError::Timeout(format!("{url}: {which}")),
        ureq::Error::Io(e) => io_error(url, &e),
        other => KojiError::Network(format!("{url}: {other}")),
    }
}

fn io_error(url: &str, error: &std::io::Error) -> KojiError {
    if error.kind() == std::io::ErrorKind::TimedOut {
        KojiError::Timeout(format!("{url}: {error}"))
    } else {
        KojiError::Network(format!("{url}: {error}"))
    }
}

fn read_file(path: &std::path::Path) -> Result<Vec<u8>, KojiError> {
    std::fs::read(path).map_err(|e| KojiError::Invalid(format!("{}: {e}", path.display())))
}

/// The client certificate and key from one PEM file, as koji's `cert` option holds them.
fn client_cert(path: &std::path::Path) -> Result<ClientCert, KojiError> {
    let pem = read_file(path)?;
    let mut chain = Vec::new();
    let mut key = None;
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => chain.push(c),
            Ok(PemItem::PrivateKey(k)) => key = Some(k),
            _ => {}
        }
    }
    match (chain.is_empty(), key) {
        (false, Some(key)) => Ok(ClientCert::new_with_certs(&chain, key)),
        _ => Err(KojiError::Invalid(format!(
            "{}: a koji client certificate file holds a PEM certificate and its private key",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Serves `body` to every GET on kept-alive connections; counts the connections.
    fn file_server(body: &'static [u8]) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut writer = stream;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            let head = format!(
                                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                                body.len()
                            );
                            if writer.write_all(&[head.as_bytes(), body].concat()).is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        (url, connections)
    }

    #[test]
    fn downloads_share_one_kept_alive_connection() {
        let (url, connections) = file_server(b"rpm");
        let client = Client::connect(HubSettings::for_server(&format!("{url}/kojihub"))).unwrap();
        for n in 0..5 {
            let body = client
                .fetch(&format!("{url}/kojifiles/{n}.rpm"), |length, body| {
                    let mut text = Vec::new();
                    body.read_to_end(&mut text)
                        .map_err(|e| KojiError::Network(e.to_string()))?;
                    Ok((length, text))
                })
                .unwrap();
            assert_eq!(body, (Some(3), b"rpm".to_vec()));
        }
        assert_eq!(
            connections.load(Ordering::SeqCst),
            1,
            "five files, one connection"
        );
    }
}
