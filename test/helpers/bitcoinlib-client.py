# Debian's python3-bitcoinlib against a JSON-RPC URL, as its users call it: bitcoin.rpc.RawProxy and
# Proxy send JSON-RPC 1.1 ({"version":"1.1",...}, no "jsonrpc") with the URL's user:password as HTTP
# basic auth. Prints one JSON object: each call's result, or the JSONRPCError's error (code, message),
# or the Python exception Proxy turns it into. Usage: python3 bitcoinlib-client.py URL
import json
import sys

import bitcoin.rpc
from bitcoin.core import b2lx

url = sys.argv[1]
out = {}


def attempt(name, call):
    try:
        out[name] = {'result': call()}
    except bitcoin.rpc.JSONRPCError as err:
        out[name] = {'error': err.error, 'type': type(err).__name__}
    except Exception as err:  # Proxy maps some errors to Python ones (IndexError for a bad height)
        out[name] = {'exception': type(err).__name__, 'message': str(err)}


raw = bitcoin.rpc.RawProxy(service_url=url, timeout=10)
attempt('count', lambda: raw.getblockcount())
attempt('genesis', lambda: raw.getblockhash(0))
attempt('range', lambda: raw.getblockhash(-1))
attempt('unknown', lambda: raw.notamethod())
attempt('denied', lambda: raw.stop())
attempt('batch', lambda: raw._batch([
    {'version': '1.1', 'method': 'getblockcount', 'params': [], 'id': 1},
    {'version': '1.1', 'method': 'getblockhash', 'params': [-1], 'id': 2},
]))
proxy = bitcoin.rpc.Proxy(service_url=url, timeout=10)
attempt('proxy_count', lambda: proxy.getblockcount())
attempt('proxy_genesis', lambda: b2lx(proxy.getblockhash(0)))
attempt('proxy_range', lambda: proxy.getblockhash(-1))
print(json.dumps(out, default=str))
