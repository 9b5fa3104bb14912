#include "psrun/factors.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "common/strings.h"
#include "crypto/psrun_signature.h"
#include "crypto/random.h"

namespace psafe::psrun {

namespace {

void Set(PsrunFactors& f, PsrunFactor which, std::string v) { f.values[static_cast<size_t>(which)] = std::move(v); }

// The first interface that is up and not loopback: its address and name (IPv4 preferred).
std::pair<std::string, std::string> PrimaryAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::pair<std::string, std::string> v4, v6;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET && v4.first.empty()) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
      v4 = {buf, i->ifa_name};
    } else if (i->ifa_addr->sa_family == AF_INET6 && v6.first.empty()) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, buf, sizeof buf);
      v6 = {buf, i->ifa_name};
    }
  }
  freeifaddrs(list);
  return v4.first.empty() ? v6 : v4;
}

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return std::string(TrimWhitespace(line));
}

std::string CanonicalName(const std::string& host) {
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return host;
  std::string name = res->ai_canonname ? res->ai_canonname : host;
  freeaddrinfo(res);
  return name;
}

}  // namespace

PsrunFactors CollectFactors() {
  PsrunFactors f;
  auto [ip, ifname] = PrimaryAddress();
  Set(f, PsrunFactor::kIpAddress, ip);
  if (!ifname.empty() && ifname.find('/') == std::string::npos) {
    Set(f, PsrunFactor::kMacAddress, FirstLine("/sys/class/net/" + ifname + "/address"));
  }
  utsname u{};
  if (uname(&u) == 0) {
    Set(f, PsrunFactor::kSystemName, u.nodename);
    Set(f, PsrunFactor::kOsVersion, std::string(u.sysname) + " " + u.release);
    const std::string fqdn = CanonicalName(u.nodename);
    Set(f, PsrunFactor::kFqdn, fqdn);
    const size_t dot = fqdn.find('.');
    Set(f, PsrunFactor::kDomainName, dot == std::string::npos ? "" : fqdn.substr(dot + 1));
  }
  const passwd* pw = getpwuid(geteuid());
  Set(f, PsrunFactor::kUserId, pw ? pw->pw_name : std::to_string(geteuid()));
  struct statvfs vfs {};
  if (statvfs("/", &vfs) == 0) {
    char id[32];
    std::snprintf(id, sizeof id, "%016lx", static_cast<unsigned long>(vfs.f_fsid));
    Set(f, PsrunFactor::kRootVolumeId, id);
  }
  return f;
}

std::vector<std::string> FactorHeaders(PsrunFactors f, const crypto::SecretString& key, std::string_view method,
                                       std::string_view path, int64_t now) {
  f.version = std::string(kPsrunProtocol);
  f.timestamp = std::to_string(now);
  f.nonce = crypto::RandomHex(16);
  f.signature = crypto::PsrunSignature(key.view(), PsrunCanonicalString(f, method, path));
  std::vector<std::string> out;
  auto add = [&](std::string_view name, std::string_view value) {
    out.push_back(std::string(name) + ": " + PercentEncodeHeaderValue(value));
  };
  add(kPsrunVersionHeader, f.version);
  add(kPsrunTimestampHeader, f.timestamp);
  add(kPsrunNonceHeader, f.nonce);
  for (const PsrunFactorInfo& info : kPsrunFactors) add(info.header, f.Get(info.factor));
  add(kPsrunSignatureHeader, f.signature);
  return out;
}

}  // namespace psafe::psrun
