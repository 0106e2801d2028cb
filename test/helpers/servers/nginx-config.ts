/**
 * The nginx.conf of the test HTTP(S) server (TEST-SERVERS.md section 3 and
 * appendix A): no file under /etc/nginx is read (inline `types {}`, every
 * temp path in our folder), one server on two ports (plain and TLS).
 *
 * Locations the HTTP backend's tests rely on, all over wwwDir:
 *   /                 static files; autoindex as JSON for directory listings
 *   /private/         the same tree's private/ folder behind basic auth (NGINX_USER / NGINX_PASSWORD)
 *   /slow/NAME        wwwDir/NAME sent at 200 KiB/s, for aborts mid-body
 *   /redirect/NAME    302 to /NAME (relative Location)
 *   /to-localhost/NAME 302 to the same scheme and port on host "localhost": another host
 *   /loop             302 to itself, for the redirect limit
 *   /error500         a 500 answer
 *
 * access.log lines read "CONNECTION REQUESTS-ON-IT HOST \"REQUEST\" STATUS".
 */
import { join } from 'node:path'

export const NGINX_USER = 'stalk'
export const NGINX_PASSWORD = 's3cret'

export interface NginxFiles {
  readonly dir: string
  readonly wwwDir: string
  readonly config: string
  readonly certFile: string
  readonly keyFile: string
  readonly htpasswd: string
  readonly errorLog: string
  readonly accessLog: string
}

export function nginxFiles (dir: string): NginxFiles {
  return {
    dir,
    wwwDir: join(dir, 'www'),
    config: join(dir, 'nginx.conf'),
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
    htpasswd: join(dir, 'htpasswd'),
    errorLog: join(dir, 'error.log'),
    accessLog: join(dir, 'access.log')
  }
}

export function nginxConfig (f: NginxFiles, httpPort: number, httpsPort: number): string {
  const tmp = (name: string): string => join(f.dir, 'tmp', name)
  // `if_modified_since before`: the default `exact` answers 200 to a date later than Last-Modified.
  return `worker_processes 1;
pid ${join(f.dir, 'nginx.pid')};
error_log ${f.errorLog} warn;
events { worker_connections 256; }
http {
  types { text/plain txt; text/html html; application/json json; }
  default_type application/octet-stream;
  # The connection number shows whether requests shared a pooled connection.
  log_format conn '$connection $connection_requests $host "$request" $status';
  access_log ${f.accessLog} conn;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  sendfile on;
  server {
    listen 127.0.0.1:${httpPort};
    listen 127.0.0.1:${httpsPort} ssl;
    ssl_certificate ${f.certFile};
    ssl_certificate_key ${f.keyFile};
    root ${f.wwwDir};
    if_modified_since before;
    location / { autoindex on; autoindex_format json; }
    location /private/ {
      auth_basic "stalk test";
      auth_basic_user_file ${f.htpasswd};
      autoindex on; autoindex_format json;
    }
    location /slow/ { alias ${f.wwwDir}/; limit_rate 200k; }
    location ~ ^/redirect/(.*)$ { return 302 /$1; }
    location ~ ^/to-localhost/(.*)$ { return 302 $scheme://localhost:$server_port/$1; }
    location = /loop { return 302 /loop; }
    location = /error500 { return 500; }
  }
}
`
}
