/* /orders: official orders (คำสั่ง), issue 11. */
#include "http/http.h"
#include "web/app.h"
#include "web/scope.h"

const struct route orders_routes[] = {
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
