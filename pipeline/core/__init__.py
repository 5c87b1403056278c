"""The core: tables, schemas, configs, manifests, generations, errors, the stage table."""
